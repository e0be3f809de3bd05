// Sparse average-linkage clustering with a lazy max-heap (see hac.h).
#include "lib/cluster/hac.h"

#include <algorithm>
#include <queue>
#include <tuple>

#include "absl/container/flat_hash_map.h"

namespace storycluster {
namespace {

struct Candidate {
  double linkage;
  uint32_t a, b;  // a < b, cluster ids (their smallest node)
  uint32_t version_a, version_b;
  bool operator<(const Candidate& o) const {
    // Max-heap on linkage; ties prefer the smaller ids.
    return std::tie(linkage, o.a, o.b) < std::tie(o.linkage, a, b);
  }
};

}  // namespace

std::vector<uint32_t> AverageLinkage(
    uint32_t n, const std::vector<SimilarityEdge>& edges, double threshold,
    double cohesion_ratio, const std::vector<std::optional<absl::Time>>* times,
    absl::Duration max_span) {
  // links[c]: neighbour cluster -> summed edge weight. The result does not
  // depend on the maps' iteration order: the heap orders candidates totally
  // (linkage, then ids), and each merge adds every neighbour's sum once.
  std::vector<absl::flat_hash_map<uint32_t, double>> links(n);
  for (const SimilarityEdge& e : edges) {
    links[e.a][e.b] += e.weight;
    links[e.b][e.a] += e.weight;
  }
  std::vector<uint32_t> size(n, 1), version(n, 0), parent(n);
  std::vector<double> inner(n, 0.0);  // summed edge weight inside a cluster
  // Earliest and latest known time per cluster.
  std::vector<std::optional<absl::Time>> first(n), last(n);
  if (times != nullptr) first = last = *times;
  auto cohesion = [&](uint32_t c) {
    const double pairs = 0.5 * size[c] * (size[c] - 1.0);
    return inner[c] / pairs;
  };
  for (uint32_t i = 0; i < n; ++i) parent[i] = i;
  std::priority_queue<Candidate> heap;
  auto push = [&](uint32_t x, uint32_t y, double sum) {
    const double linkage =
        sum / (static_cast<double>(size[x]) * static_cast<double>(size[y]));
    if (linkage < threshold) return;
    if (x > y) std::swap(x, y);
    heap.push({linkage, x, y, version[x], version[y]});
  };
  for (uint32_t i = 0; i < n; ++i) {
    for (const auto& [j, sum] : links[i]) {
      if (i < j) push(i, j, sum);
    }
  }
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    if (version[c.a] != c.version_a || version[c.b] != c.version_b) continue;
    const uint32_t a = c.a, b = c.b;
    if (cohesion_ratio > 0 && size[a] >= 2 && size[b] >= 2 &&
        c.linkage < cohesion_ratio * std::min(cohesion(a), cohesion(b))) {
      continue;  // re-offered if either cluster grows
    }
    if (first[a] && first[b] &&
        std::max(*last[a], *last[b]) - std::min(*first[a], *first[b]) >
            max_span) {
      continue;
    }
    // Merge b into a (a is the smaller id and stays the cluster's id).
    inner[a] += inner[b] + links[a][b];
    if (!first[a] || (first[b] && *first[b] < *first[a])) first[a] = first[b];
    if (!last[a] || (last[b] && *last[b] > *last[a])) last[a] = last[b];
    links[a].erase(b);
    links[b].erase(a);
    for (const auto& [m, sum] : links[b]) {
      links[a][m] += sum;
      auto& back = links[m];
      back.erase(b);
      back[a] += sum;
    }
    links[b].clear();
    size[a] += size[b];
    size[b] = 0;
    parent[b] = a;
    // Only linkages involving a (and the dead b) changed: bumping their
    // versions makes every older heap entry with them stale.
    ++version[a];
    ++version[b];
    for (const auto& [m, sum] : links[a]) push(a, m, sum);
  }
  std::vector<uint32_t> root(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t r = i;
    while (parent[r] != r) r = parent[r];
    root[i] = r;
  }
  return root;
}

}  // namespace storycluster
