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
#include <queue>
#include <tuple>

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
    for (const SimilarityEdge& e : edges) {
      if (e.a >= begin && e.a < end) links[e.a][e.b] += e.weight;
      if (e.b >= begin && e.b < end) links[e.b][e.a] += e.weight;
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
  std::priority_queue<Candidate> heap(std::less<Candidate>(), std::move(all));
  auto push = [&](uint32_t x, uint32_t y, double sum) {
    const double linkage = linkage_of(x, y, sum);
    if (linkage < threshold) return;
    if (x > y) std::swap(x, y);
    heap.push({linkage, x, y});
  };
  std::vector<std::pair<uint32_t, double>> moved;  // t's links, in order
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
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
    // Linkages to t's neighbours may rise: offer them again. The
    // neighbours' maps are scattered in memory: their headers and then the
    // slots for t are prefetched a few neighbours ahead.
    moved.assign(links[t].begin(), links[t].end());
    constexpr size_t kAhead = 8;
    for (size_t k = 0; k < moved.size(); ++k) {
      if (k + 2 * kAhead < moved.size()) {
        __builtin_prefetch(&links[moved[k + 2 * kAhead].first]);
      }
      if (k + kAhead < moved.size()) {
        const uint32_t ahead = moved[k + kAhead].first;
        links[ahead].prefetch(t);
        links[s].prefetch(ahead);
      }
      const auto [m, weight] = moved[k];
      double& merged = links[s][m];
      merged += weight;
      auto& back = links[m];
      back.erase(t);
      back[s] += weight;
      push(s, m, merged);
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
