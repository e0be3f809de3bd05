// Internal: the steps of the event stage (events.h), run in order by
// ClusterCorpus (lib/7_pipeline/cluster.cc) over the copy-group originals.
#ifndef STORYCLUSTER_LIB_5_EVENTS_EVENTS_H_
#define STORYCLUSTER_LIB_5_EVENTS_EVENTS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/5_events/candidates.h"
#include "lib/5_events/hac.h"
#include "storycluster/events.h"

namespace storycluster {

// Errors: a linkage threshold outside (0, 1] or a negative idf offset (both
// levels, events and storylines, have one of each).
absl::Status CheckLinkageSettings(double similarity, double idf_offset);

// Errors: as CheckLinkageSettings, and shared neighbour settings out of
// range.
absl::Status CheckEventOptions(const EventOptions& options);

// The scored pairs of originals: candidates proposed by strong terms they
// share (`search` gives the shared bounds; the event stage sets the rest),
// each scored by the pair model, then weighted by shared nearest
// neighbours. `docs` are the originals' vectors, `originals` their article
// indices and `times` their publication times (same order).
std::vector<SimilarityEdge> EventEdges(
    const Vectors& docs, const std::vector<uint32_t>& originals,
    const std::vector<std::optional<absl::Time>>& times,
    const EventOptions& options, CandidateSearch search);

// Average linkage over the edges: each original's event root.
std::vector<uint32_t> LinkEvents(
    uint32_t n, std::vector<SimilarityEdge> edges,
    const std::vector<std::optional<absl::Time>>& times,
    const EventOptions& options, int threads);

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_5_EVENTS_EVENTS_H_
