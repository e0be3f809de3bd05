// Internal: the steps of the storyline stage (storylines.h), run in order
// by ClusterCorpus (lib/7_pipeline/cluster.cc) over the events.
#ifndef STORYCLUSTER_LIB_6_STORYLINES_STORYLINES_H_
#define STORYCLUSTER_LIB_6_STORYLINES_STORYLINES_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "lib/5_events/candidates.h"
#include "lib/5_events/hac.h"
#include "storycluster/features.h"
#include "storycluster/storylines.h"

namespace storycluster {

// The members of each group, in row order: group g's rows are
// members[first[g]] .. members[first[g + 1] - 1].
struct GroupMembers {
  std::vector<uint64_t> first;
  std::vector<uint32_t> members;

  GroupMembers(const std::vector<uint32_t>& group_of, uint32_t groups);
  uint32_t groups() const { return static_cast<uint32_t>(first.size() - 1); }
  absl::Span<const uint32_t> of(uint32_t g) const {
    return absl::MakeConstSpan(members).subspan(first[g],
                                                first[g + 1] - first[g]);
  }
};

// Errors: a threshold outside (0, 1] or a negative idf offset.
absl::Status CheckStorylineOptions(const StorylineOptions& options);

// L2-normalised sums of the rows of each group, as rows of a new matrix:
// the event vectors. The sums run over a group's rows in order.
TermMatrix Centroids(const Rows& rows, const GroupMembers& group, int threads);

// Representative of each event: the original closest to its centroid
// (`events.text`; a single member is its own; ties: the earlier member),
// as an article index (`originals` maps rows of `topic` to articles).
std::vector<uint32_t> Representatives(const Vectors& events,
                                      const Vectors& topic,
                                      const GroupMembers& event_members,
                                      const std::vector<uint32_t>& originals,
                                      int threads);

// The scored pairs of events (`search` gives the shared bounds; the
// storyline stage sets the rest): the blend of their text and entity
// cosines.
std::vector<SimilarityEdge> StorylineEdges(const Vectors& events,
                                           const StorylineOptions& options,
                                           CandidateSearch search);

// Average linkage over the edges, with no time limit and no cohesion test:
// each event's storyline root.
std::vector<uint32_t> LinkStorylines(uint32_t num_events,
                                     std::vector<SimilarityEdge> edges,
                                     const StorylineOptions& options,
                                     int threads);

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_6_STORYLINES_STORYLINES_H_
