// Sparse average-linkage clustering with a lazy max-heap (see hac.h).
//
// Each cluster lives in a slot that owns its neighbour map. A merge keeps
// the slot with the larger map and moves the smaller map into it, so every
// link moves O(log n) times in all. The heap holds candidate pairs with the
// linkage they had when pushed. A merge changes every linkage of the new
// cluster, but only those to the absorbed map's neighbours can rise (the
// others lose weight per member); those are pushed again, and an entry
// whose linkage fell is corrected when it reaches the top: it is
// recomputed, and re-pushed if it still reaches the threshold. An entry is
// acted on only when its stored linkage is the current one; every other
// entry stores at least its current linkage, so the merges happen in the
// order of an eager heap (highest linkage first, ties by slot).
#include "lib/cluster/hac.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <optional>
#include <queue>
#include <thread>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "lib/common/parallel.h"

namespace storycluster {
namespace {

struct Candidate {
  double linkage;
  uint32_t a, b;  // a < b, cluster slots
  bool operator<(const Candidate& o) const {
    // Max-heap on linkage; ties prefer the smaller slots.
    return std::tie(linkage, o.a, o.b) < std::tie(o.linkage, a, b);
  }
};

// Runs `job` on its own thread each time Post() is called, while the
// caller goes on; Wait() returns when that run is done (and rethrows what
// it threw). One run at a time: Post, then Wait, then Post again.
class Helper {
 public:
  explicit Helper(std::function<void()> job)
      : job_(std::move(job)), thread_([this] { Loop(); }) {}
  ~Helper() {
    stop_ = true;
    Post();
    thread_.join();
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;

  void Post() {
    posted_.fetch_add(1);
    posted_.notify_one();
  }
  void Wait() {
    const uint64_t want = posted_.load();
    Await(finished_, want);
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void Loop() {
    uint64_t seen = 0;
    for (;;) {
      seen = Await(posted_, seen + 1);
      if (stop_) return;
      try {
        job_();
      } catch (...) {
        error_ = std::current_exception();
      }
      finished_.store(seen);
      finished_.notify_one();
    }
  }

  // Waits until `counter` reaches `target`, returns its value. Runs are
  // short and come in quick succession, and waking a sleeping thread takes
  // far longer than one (about 100 us seen on a 2-core VM), so both sides
  // spin first and sleep only after a long pause.
  static uint64_t Await(std::atomic<uint64_t>& counter, uint64_t target) {
    constexpr int kSpins = 1 << 16;
    for (int i = 0;; ++i) {
      const uint64_t now = counter.load();
      if (now >= target) return now;
      if (i < kSpins) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#else
        std::this_thread::yield();
#endif
      } else {
        counter.wait(now);
      }
    }
  }

  std::function<void()> job_;
  std::atomic<uint64_t> posted_{0}, finished_{0};
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

std::vector<uint32_t> AverageLinkage(
    uint32_t n, std::vector<SimilarityEdge> edges, double threshold,
    double cohesion_ratio, const std::vector<std::optional<absl::Time>>* times,
    absl::Duration max_span, int threads) {
  // links[c]: neighbour cluster -> summed edge weight. The result does not
  // depend on the maps' iteration order: the heap orders candidates totally
  // (linkage, then ids), and each merge adds every neighbour's sum once.
  // Each worker owns a range of nodes and reads every edge, adding those
  // that touch its nodes in edge order: each map sums in the same order as
  // one by one, and no adjacency copy of the edges is needed.
  std::vector<uint32_t> degree(n, 0);
  for (const SimilarityEdge& e : edges) {
    ++degree[e.a];
    ++degree[e.b];
  }
  std::vector<absl::flat_hash_map<uint32_t, double>> links(n);
  ParallelParts(n, threads, [&](size_t, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) links[i].reserve(degree[i]);
    auto mine = [&](uint32_t node) { return node >= begin && node < end; };
    // Candidate edges arrive grouped by their later node (b), so b's map
    // stays in the cache; the a side jumps between maps: its map header
    // and then its slot are prefetched some edges ahead.
    constexpr size_t kNear = 8, kFar = 16;
    for (size_t k = 0; k < edges.size(); ++k) {
      if (k + kFar < edges.size()) {
        const SimilarityEdge& far = edges[k + kFar];
        if (mine(far.a)) __builtin_prefetch(&links[far.a]);
      }
      if (k + kNear < edges.size()) {
        const SimilarityEdge& near = edges[k + kNear];
        if (mine(near.a)) links[near.a].prefetch(near.b);
      }
      const SimilarityEdge& e = edges[k];
      if (mine(e.a)) links[e.a][e.b] += e.weight;
      if (mine(e.b)) links[e.b][e.a] += e.weight;
    }
  });
  std::vector<SimilarityEdge>().swap(edges);  // taken by value: freed here
  degree = {};
  std::vector<uint32_t> size(n, 1), parent(n), id(n);
  std::vector<double> inner(n, 0.0);  // summed edge weight inside a cluster
  // Pairs held back by the cohesion test, offered again when either side
  // grows (their cohesions change).
  std::vector<std::vector<uint32_t>> deferred(n);
  // Earliest and latest known time per cluster.
  std::vector<std::optional<absl::Time>> first(n), last(n);
  if (times != nullptr) first = last = *times;
  auto cohesion = [&](uint32_t c) {
    const double pairs = 0.5 * size[c] * (size[c] - 1.0);
    return inner[c] / pairs;
  };
  auto linkage_of = [&](uint32_t x, uint32_t y, double sum) {
    return sum / (static_cast<double>(size[x]) * static_cast<double>(size[y]));
  };
  for (uint32_t i = 0; i < n; ++i) parent[i] = id[i] = i;
  auto root = [&](uint32_t x) {
    while (parent[x] != x) x = parent[x];
    return x;
  };
  // The initial candidates, gathered in parallel; the heap's pop order
  // does not depend on the order they are added in (a total order).
  std::vector<std::vector<Candidate>> initial((n + 1023) / 1024);
  ParallelFor(n, threads, 1024, [&](size_t begin, size_t end, int) {
    for (size_t i = begin; i < end; ++i) {
      for (const auto& [j, sum] : links[i]) {
        const double linkage = linkage_of(i, j, sum);
        if (i < j && linkage >= threshold) {
          initial[begin / 1024].push_back(
              {linkage, static_cast<uint32_t>(i), j});
        }
      }
    }
  });
  std::vector<Candidate> all;
  for (auto& chunk : initial) all.insert(all.end(), chunk.begin(), chunk.end());
  initial = {};
  // The initial candidates are consumed in order from a sorted array
  // (sorted in parallel parts, then merged), and only the pairs offered
  // later go through the heap: a sequential read instead of a sift-down
  // through a heap of every initial pair per pop. Taking the higher of the
  // two fronts pops in the same order as one heap of all of them.
  auto higher_first = [](const Candidate& x, const Candidate& y) {
    return y < x;
  };
  {
    const size_t parts = PartCount(all.size(), threads);
    ParallelParts(all.size(), threads, [&](size_t, size_t begin, size_t end) {
      std::sort(all.begin() + static_cast<ptrdiff_t>(begin),
                all.begin() + static_cast<ptrdiff_t>(end), higher_first);
    });
    for (size_t p = 1; p < parts; ++p) {
      std::inplace_merge(
          all.begin(),
          all.begin() + static_cast<ptrdiff_t>(p * all.size() / parts),
          all.begin() + static_cast<ptrdiff_t>((p + 1) * all.size() / parts),
          higher_first);
    }
  }
  size_t next_initial = 0;
  std::priority_queue<Candidate> heap;
  // The highest candidate of both sources; false when both are empty.
  auto pop = [&](Candidate* c) {
    if (next_initial < all.size() &&
        (heap.empty() || heap.top() < all[next_initial])) {
      // Most of these pairs are looked up once and dropped: their slots'
      // state and maps are prefetched a few pairs ahead, in two steps
      // (the map's header, then the slot for the other side).
      constexpr size_t kNear = 8, kFar = 16;
      if (next_initial + kFar < all.size()) {
        const Candidate& far = all[next_initial + kFar];
        __builtin_prefetch(&parent[far.a]);
        __builtin_prefetch(&parent[far.b]);
        __builtin_prefetch(&links[far.a]);
      }
      if (next_initial + kNear < all.size()) {
        const Candidate& near = all[next_initial + kNear];
        links[near.a].prefetch(near.b);
      }
      *c = all[next_initial++];
      return true;
    }
    if (heap.empty()) return false;
    *c = heap.top();
    heap.pop();
    return true;
  };
  auto push = [&](uint32_t x, uint32_t y, double sum) {
    const double linkage = linkage_of(x, y, sum);
    if (linkage < threshold) return;
    if (x > y) std::swap(x, y);
    heap.push({linkage, x, y});
  };
  std::vector<std::pair<uint32_t, double>> moved;  // t's links, in order
  uint32_t merge_s = 0, merge_t = 0;  // the merge in progress: t into s
  constexpr size_t kAhead = 8;
  auto update_back_links = [&] {
    for (size_t k = 0; k < moved.size(); ++k) {
      if (k + 2 * kAhead < moved.size()) {
        __builtin_prefetch(&links[moved[k + 2 * kAhead].first]);
      }
      if (k + kAhead < moved.size()) {
        links[moved[k + kAhead].first].prefetch(merge_t);
      }
      const auto [m, weight] = moved[k];
      auto& back = links[m];
      back.erase(merge_t);
      back[merge_s] += weight;
    }
  };
  const int workers = ResolveThreads(threads);
  constexpr size_t kSplitAt = 64;
  std::optional<Helper> helper;  // destroyed (joined) before the state above
  Candidate c;
  while (pop(&c)) {
    if (parent[c.a] != c.a || parent[c.b] != c.b) continue;  // merged away
    auto link = links[c.a].find(c.b);
    if (link == links[c.a].end()) continue;
    const double sum = link->second;
    if (linkage_of(c.a, c.b, sum) != c.linkage) {  // fell since pushed
      push(c.a, c.b, sum);
      continue;
    }
    if (cohesion_ratio > 0 && size[c.a] >= 2 && size[c.b] >= 2 &&
        c.linkage < cohesion_ratio * std::min(cohesion(c.a), cohesion(c.b))) {
      deferred[c.a].push_back(c.b);
      deferred[c.b].push_back(c.a);
      continue;
    }
    if (first[c.a] && first[c.b] &&
        std::max(*last[c.a], *last[c.b]) - std::min(*first[c.a], *first[c.b]) >
            max_span) {
      continue;  // spans only grow: never offered again
    }
    // Merge slot t into slot s, the one with more neighbours.
    uint32_t s = c.a, t = c.b;
    if (links[t].size() > links[s].size()) std::swap(s, t);
    links[s].erase(t);
    links[t].erase(s);
    inner[s] += inner[t] + sum;
    if (!first[s] || (first[t] && *first[t] < *first[s])) first[s] = first[t];
    if (!last[s] || (last[t] && *last[t] > *last[s])) last[s] = last[t];
    size[s] += size[t];
    size[t] = 0;
    id[s] = std::min(id[s], id[t]);
    parent[t] = s;
    // Linkages to t's neighbours may rise: offer them again. Each
    // neighbour's own map then drops t and adds the weight under s (the
    // back links); with two or more threads a long list's back links are
    // updated by the helper while this thread updates s's map (they touch
    // different maps). The maps are scattered in memory: their headers and
    // then the slots are prefetched a few neighbours ahead.
    moved.assign(links[t].begin(), links[t].end());
    merge_s = s;
    merge_t = t;
    const bool split = workers >= 2 && moved.size() >= kSplitAt;
    if (split) {
      if (!helper) helper.emplace(update_back_links);
      helper->Post();
    }
    for (size_t k = 0; k < moved.size(); ++k) {
      if (k + kAhead < moved.size()) links[s].prefetch(moved[k + kAhead].first);
      const auto [m, weight] = moved[k];
      double& merged = links[s][m];
      merged += weight;
      push(s, m, merged);
    }
    if (split) {
      helper->Wait();
    } else {
      update_back_links();
    }
    links[t] = {};
    // Pairs held back by cohesion: the merged cohesion differs.
    std::vector<uint32_t> again = std::move(deferred[s]);
    again.insert(again.end(), deferred[t].begin(), deferred[t].end());
    deferred[s].clear();
    deferred[t] = {};
    for (uint32_t m : again) {
      m = root(m);
      if (m == s) continue;
      auto it = links[s].find(m);
      if (it != links[s].end()) push(s, m, it->second);
    }
  }
  std::vector<uint32_t> out(n);
  for (uint32_t i = 0; i < n; ++i) out[i] = id[root(i)];
  return out;
}

}  // namespace storycluster
