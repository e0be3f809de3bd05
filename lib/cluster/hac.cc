// Sparse average-linkage clustering with a max-heap (see hac.h).
//
// Each cluster lives in a slot that owns its neighbour list, sorted by
// neighbour. A merge keeps the slot with the longer list and merges the
// other list into it; the neighbours' own lists are brought up to date
// lazily (see `refresh` in AverageLinkage). The heap holds candidate pairs
// with the linkage they had when pushed and the merge count at that time.
// A merge changes every linkage of the new cluster, so it pushes each of
// its pairs that reaches the threshold, and every older entry naming it
// goes out of date: an entry is acted on only when neither of its clusters
// has grown since it was pushed. The heap thus holds each pair's current
// linkage once, and the merges happen in the order of an eager heap
// (highest linkage first, ties by slot) without reading a neighbour list
// to check an entry.
#include "lib/cluster/hac.h"

#include <algorithm>
#include <optional>
#include <queue>
#include <tuple>
#include <utility>

#include "lib/common/parallel.h"
#include "lib/common/sorted_sets.h"

namespace storycluster {
namespace {

// A neighbour cluster and the summed weight of the edges to it. Packed
// (12 bytes, not 16): on a large graph the lists do not fit the cache,
// and reading a quarter fewer bytes per entry matters more than alignment
// (measured on a 1M-article graph: docs/performance-log.md, part 10).
struct __attribute__((packed)) Link {
  uint32_t key;
  double sum;
};
bool ByKey(const Link& x, const Link& y) { return x.key < y.key; }

struct Candidate {
  double linkage;
  uint32_t a, b;  // a < b, cluster slots
  bool operator<(const Candidate& o) const {
    // Max-heap on linkage; ties prefer the smaller slots.
    return std::tie(linkage, o.a, o.b) < std::tie(o.linkage, a, b);
  }
};

// A candidate pushed after `merges` merges (the initial ones: 0).
struct Pushed {
  Candidate pair;
  uint32_t merges;
  bool operator<(const Pushed& o) const { return pair < o.pair; }
};

}  // namespace

std::vector<uint32_t> AverageLinkage(
    uint32_t n, std::vector<SimilarityEdge> edges, double threshold,
    double cohesion_ratio, const std::vector<std::optional<absl::Time>>* times,
    absl::Duration max_span, int threads) {
  // links[c]: c's neighbours and the summed edge weight to each, sorted by
  // neighbour. Each worker owns a range of nodes and reads every edge,
  // appending those that touch its nodes in edge order; a stable sort then
  // sums repeated pairs in that order, as one map filled edge by edge.
  std::vector<uint32_t> degree(n, 0);
  for (const SimilarityEdge& e : edges) {
    ++degree[e.a];
    ++degree[e.b];
  }
  std::vector<std::vector<Link>> links(n);
  ParallelParts(n, threads, [&](size_t, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) links[i].reserve(degree[i]);
    auto mine = [&](uint32_t node) { return node >= begin && node < end; };
    for (const SimilarityEdge& e : edges) {
      if (mine(e.a)) links[e.a].push_back({e.b, e.weight});
      if (mine(e.b)) links[e.b].push_back({e.a, e.weight});
    }
    for (size_t i = begin; i < end; ++i) {
      std::vector<Link>& list = links[i];
      std::stable_sort(list.begin(), list.end(), ByKey);
      size_t kept = 0;
      for (size_t k = 0; k < list.size(); ++k) {
        if (kept > 0 && list[kept - 1].key == list[k].key) {
          list[kept - 1].sum += list[k].sum;
        } else {
          list[kept++] = list[k];
        }
      }
      list.resize(kept);
    }
  });
  std::vector<SimilarityEdge>().swap(edges);  // taken by value: freed here
  degree = {};
  std::vector<uint32_t> size(n, 1), parent(n), id(n);
  // merged_at[t]: the sequence number of the merge that absorbed slot t.
  std::vector<uint32_t> merged_at(n, 0);
  // stale[c]: some neighbour in links[c] has been merged away since the
  // list was last brought up to date (see `refresh` below).
  std::vector<uint8_t> stale(n, 0);
  std::vector<double> inner(n, 0.0);  // summed edge weight inside a cluster
  // grown_at[c]: the merge count right after c last grew (0: never). A
  // heap entry naming c is out of date when pushed before that.
  std::vector<uint32_t> grown_at(n, 0);
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
  // Bit x: slot x has been merged away. The same as parent[x] != x, but
  // an eighth of a byte per slot: on a large graph it stays in the cache
  // where the slots' arrays do not.
  std::vector<uint64_t> gone((n + 63) / 64, 0);
  auto merged_away = [&](uint32_t x) { return (gone[x >> 6] >> (x & 63)) & 1; };
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
  std::priority_queue<Pushed> heap;
  // The highest entry of both sources; false when both are empty.
  auto pop = [&](Pushed* p) {
    if (next_initial < all.size() &&
        (heap.empty() || heap.top().pair < all[next_initial])) {
      *p = {all[next_initial++], 0};
      return true;
    }
    if (heap.empty()) return false;
    *p = heap.top();
    heap.pop();
    return true;
  };
  uint32_t merges = 0;
  // Pushes the pair of a new cluster s and its neighbour y if its linkage
  // reaches the threshold. A pair whose sum over s's size alone is below
  // the threshold is below it over both sizes (a larger divisor: never a
  // larger quotient, rounding included), so y's size, in a large array,
  // is read only for the others.
  auto offer = [&](uint32_t s, uint32_t y, double sum) {
    if (sum / size[s] < threshold) return;
    const double linkage = linkage_of(s, y, sum);
    if (linkage < threshold) return;
    heap.push({{linkage, std::min(s, y), std::max(s, y)}, merges});
  };
  // A merge of t into s does not visit t's neighbours (their lists lie
  // all over memory); they keep t and are only marked stale. refresh(c)
  // brings c's list up to date when it is next read: the entries of
  // merged-away slots are folded into the slot each was merged into, in
  // the order the merges happened, which adds the same numbers in the
  // same order as updating every neighbour at each merge would have (so
  // the sums, and the clusters, are bit for bit the same).
  std::vector<Link> moved, merged;
  // A sum to add to the list entry of `key` (made if missing); `order`
  // keeps the sums of one key in the order of the merges.
  struct Fold {
    uint32_t key, order;
    double sum;
    bool operator<(const Fold& o) const {
      return key != o.key ? key < o.key : order < o.order;
    }
  };
  std::vector<Fold> folds;
  auto refresh = [&](uint32_t c) {
    if (!stale[c]) return;
    stale[c] = 0;
    std::vector<Link>& list = links[c];
    moved.clear();
    size_t kept = 0;
    for (const Link& link : list) {
      if (merged_away(link.key)) {
        moved.push_back(link);
      } else {
        list[kept++] = link;
      }
    }
    list.resize(kept);
    if (moved.empty()) return;
    // Each merged-away slot was merged once: its sequence number orders
    // `moved` and finds a slot in it.
    auto earlier = [&](const Link& x, uint32_t at) {
      return merged_at[x.key] < at;
    };
    std::sort(moved.begin(), moved.end(), [&](const Link& x, const Link& y) {
      return earlier(x, merged_at[y.key]);
    });
    folds.clear();
    for (size_t k = 0; k < moved.size(); ++k) {
      const uint32_t target = parent[moved[k].key];
      const double weight = moved[k].sum;
      if (merged_away(target)) {
        // The target was merged later: its entry (made now if c had
        // none) is folded in when its own turn comes.
        auto it =
            std::lower_bound(moved.begin() + static_cast<ptrdiff_t>(k) + 1,
                             moved.end(), merged_at[target], earlier);
        if (it != moved.end() && it->key == target) {
          it->sum += weight;
        } else {
          moved.insert(it, {target, weight});
        }
        continue;
      }
      folds.push_back({target, static_cast<uint32_t>(folds.size()), weight});
    }
    // The sums into the list in one pass: an entry present adds its
    // folds in merge order, a new one starts from its first.
    std::sort(folds.begin(), folds.end());
    merged.clear();
    size_t i = 0;
    for (size_t f = 0; f < folds.size();) {
      const uint32_t key = folds[f].key;
      while (i < list.size() && list[i].key < key) merged.push_back(list[i++]);
      double sum;
      if (i < list.size() && list[i].key == key) {
        sum = list[i++].sum;
      } else {
        sum = folds[f++].sum;
      }
      for (; f < folds.size() && folds[f].key == key; ++f) sum += folds[f].sum;
      merged.push_back({key, sum});
    }
    merged.insert(merged.end(), list.begin() + static_cast<ptrdiff_t>(i),
                  list.end());
    // Copied, not swapped: the scratch list's capacity is that of the
    // longest list it has held, which a short list must not keep.
    list.assign(merged.begin(), merged.end());
  };
  Pushed top;
  while (pop(&top)) {
    const Candidate& c = top.pair;
    // Out of date: a side merged away, or grew since (its entry of now,
    // if the pair still reaches the threshold, is in the heap too).
    if (merged_away(c.a) || merged_away(c.b) || grown_at[c.a] > top.merges ||
        grown_at[c.b] > top.merges) {
      continue;
    }
    // Held back, until either side grows: by cohesion (the two clusters
    // are tighter than their link), or by the span (which only grows).
    if (cohesion_ratio > 0 && size[c.a] >= 2 && size[c.b] >= 2 &&
        c.linkage < cohesion_ratio * std::min(cohesion(c.a), cohesion(c.b))) {
      continue;
    }
    if (first[c.a] && first[c.b] &&
        std::max(*last[c.a], *last[c.b]) - std::min(*first[c.a], *first[c.b]) >
            max_span) {
      continue;
    }
    // Merge slot t into slot s, the one with more neighbours.
    refresh(c.a);
    refresh(c.b);
    uint32_t s = c.a, t = c.b;
    if (links[t].size() > links[s].size()) std::swap(s, t);
    if (!first[s] || (first[t] && *first[t] < *first[s])) first[s] = first[t];
    if (!last[s] || (last[t] && *last[t] > *last[s])) last[s] = last[t];
    size[s] += size[t];
    size[t] = 0;
    id[s] = std::min(id[s], id[t]);
    parent[t] = s;
    gone[t >> 6] |= uint64_t{1} << (t & 63);
    merged_at[t] = merges++;
    grown_at[s] = merges;
    // s's new list: both sorted lists merged (without s and t), the sums
    // of shared neighbours added (s's first). Every pair of the new
    // cluster is offered again; t's neighbours are marked stale (their
    // lists still name t).
    const std::vector<Link>& mine = links[s];
    const std::vector<Link>& theirs = links[t];
    double sum = 0;  // the edges between s and t
    merged.clear();
    size_t i = 0, j = 0;
    while (i < mine.size() || j < theirs.size()) {
      if (j == theirs.size() ||
          (i < mine.size() && mine[i].key < theirs[j].key)) {
        if (mine[i].key != t) {
          merged.push_back(mine[i]);
          offer(s, mine[i].key, mine[i].sum);
        } else {
          sum = mine[i].sum;
        }
        ++i;
        continue;
      }
      const Link& other = theirs[j++];
      if (other.key == s) continue;
      double total = other.sum;
      if (i < mine.size() && mine[i].key == other.key) {
        total = mine[i++].sum + other.sum;
      }
      merged.push_back({other.key, total});
      stale[other.key] = 1;
      offer(s, other.key, total);
    }
    inner[s] += inner[t] + sum;
    links[s].swap(merged);
    links[t] = {};
  }
  std::vector<uint32_t> out(n);
  for (uint32_t i = 0; i < n; ++i) out[i] = id[root(i)];
  return out;
}

void WeightBySharedNeighbours(uint32_t n, int k, double floor,
                              double min_weight, int threads,
                              std::vector<SimilarityEdge>* edges) {
  if (k <= 0 || n == 0) return;
  // Every node's edges (weight, other end), grouped by node.
  std::vector<size_t> offset(n + size_t{1}, 0);
  for (const SimilarityEdge& e : *edges) {
    ++offset[e.a + size_t{1}];
    ++offset[e.b + size_t{1}];
  }
  for (uint32_t i = 0; i < n; ++i) offset[i + 1] += offset[i];
  std::vector<std::pair<double, uint32_t>> adjacent(offset[n]);
  {
    std::vector<size_t> fill(offset.begin(), offset.end() - 1);
    for (const SimilarityEdge& e : *edges) {
      adjacent[fill[e.a]++] = {e.weight, e.b};
      adjacent[fill[e.b]++] = {e.weight, e.a};
    }
  }
  // Neighbour sets, sorted, in rows of k + 1 (the node itself included).
  const size_t row = static_cast<size_t>(k) + 1;
  std::vector<uint32_t> near(n * row);
  std::vector<uint32_t> count(n);
  auto stronger = [](const std::pair<double, uint32_t>& x,
                     const std::pair<double, uint32_t>& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  };
  ParallelFor(n, threads, 1024, [&](size_t begin, size_t end, int) {
    for (size_t i = begin; i < end; ++i) {
      auto first = adjacent.begin() + static_cast<ptrdiff_t>(offset[i]);
      auto last = adjacent.begin() + static_cast<ptrdiff_t>(offset[i + 1]);
      const auto keep = std::min<ptrdiff_t>(last - first, k);
      std::partial_sort(first, first + keep, last, stronger);
      uint32_t* out = &near[i * row];
      out[0] = static_cast<uint32_t>(i);
      for (ptrdiff_t m = 0; m < keep; ++m) out[m + 1] = first[m].second;
      count[i] = static_cast<uint32_t>(keep + 1);
      std::sort(out, out + count[i]);
    }
  });
  adjacent = {};
  std::vector<uint8_t> kept(edges->size());
  ParallelFor(edges->size(), threads, 4096, [&](size_t begin, size_t end, int) {
    for (size_t m = begin; m < end; ++m) {
      SimilarityEdge& e = (*edges)[m];
      const uint32_t nx = count[e.a], ny = count[e.b];
      const size_t shared =
          CommonCount(absl::MakeConstSpan(&near[e.a * row], nx),
                      absl::MakeConstSpan(&near[e.b * row], ny));
      const double jaccard =
          static_cast<double>(shared) / static_cast<double>(nx + ny - shared);
      e.weight *= floor + (1 - floor) * jaccard;
      kept[m] = e.weight >= min_weight;
    }
  });
  size_t out = 0;
  for (size_t m = 0; m < edges->size(); ++m) {
    if (kept[m]) (*edges)[out++] = (*edges)[m];
  }
  edges->resize(out);
}

}  // namespace storycluster
