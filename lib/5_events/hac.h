// Internal: average-linkage agglomerative clustering over a sparse
// similarity graph. Pairs without an edge count as similarity 0, so the
// linkage between clusters A and B is (sum of edge weights between them) /
// (|A| * |B|), exactly the average over all member pairs. Merging stops when
// no pair of clusters reaches the threshold. Ties are broken by cluster
// slot (see hac.cc), so the result is deterministic.
#ifndef STORYCLUSTER_LIB_5_EVENTS_HAC_H_
#define STORYCLUSTER_LIB_5_EVENTS_HAC_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"

namespace storycluster {

struct SimilarityEdge {
  uint32_t a, b;  // a != b
  double weight;  // similarity, > 0
};

struct LinkageOptions {
  // Merging stops when no pair of clusters reaches this average linkage.
  double threshold = 0.5;
  // 0 disables. Otherwise a relative test: two clusters with at least two
  // members each merge only if their linkage is at least cohesion_ratio
  // times the smaller of their cohesions (the average similarity of
  // member pairs inside each). A merge must not dilute the clusters it
  // joins: two tight events of the same kind (two earthquakes) stay apart
  // even when they are more similar to each other than loose events
  // elsewhere are inside.
  double cohesion_ratio = 0;
  // When given (one per node, nullopt when unknown), two clusters merge
  // only if the known times of the result span at most `max_span`: an
  // event does not stretch over months through undated articles.
  const std::vector<std::optional<absl::Time>>* times = nullptr;
  absl::Duration max_span = absl::InfiniteDuration();
  // Threads (0: all cores) that build the neighbour lists; the merges are
  // sequential. The result is the same for any count.
  int threads = 1;
};

// Returns, for each of the n nodes, the index of its cluster's smallest
// node.
std::vector<uint32_t> AverageLinkage(uint32_t n,
                                     std::vector<SimilarityEdge> edges,
                                     const LinkageOptions& options);

// Shared nearest neighbours (Jarvis and Patrick): each node's neighbour
// set is the node itself and the other ends of its `k` strongest edges
// (ties: the smaller node), and each edge's weight is multiplied by
// floor + (1 - floor) * |N(a) & N(b)| / |N(a) | N(b)|. Two articles of one
// event share most of their nearest neighbours; two of different events
// that happen to be similar (two earthquakes, two patches of one browser)
// each have their own. Edges that fall below `min_weight` are removed; the
// others keep their order. The result is the same for any `threads`.
void WeightBySharedNeighbours(uint32_t n, int k, double floor,
                              double min_weight, int threads,
                              std::vector<SimilarityEdge>* edges);

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_5_EVENTS_HAC_H_
