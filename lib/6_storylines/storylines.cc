// The storyline stage's steps: event centroids and representatives, then
// candidate pairs of events and average linkage over them.
#include "lib/6_storylines/storylines.h"

#include <Eigen/SparseCore>
#include <algorithm>
#include <utility>

#include "lib/5_events/events.h"
#include "lib/common/parallel.h"

namespace storycluster {

using SparseVec = Eigen::SparseVector<float>;

GroupMembers::GroupMembers(const std::vector<uint32_t>& group_of,
                           uint32_t groups)
    : first(groups + 1, 0), members(group_of.size()) {
  for (uint32_t g : group_of) ++first[g + 1];
  for (uint32_t g = 0; g < groups; ++g) first[g + 1] += first[g];
  std::vector<uint64_t> next(first.begin(), first.end() - 1);
  for (uint32_t r = 0; r < group_of.size(); ++r) {
    members[next[group_of[r]]++] = r;
  }
}

absl::Status CheckStorylineOptions(const StorylineOptions& options) {
  return CheckLinkageSettings(options.similarity, options.idf_offset);
}

// With Eigen sparse vectors.
TermMatrix Centroids(const Rows& rows, const GroupMembers& group, int threads) {
  const uint32_t groups = group.groups();
  const Eigen::Index dimension = std::max<uint32_t>(rows.dimension(), 1);
  TermMatrix out;
  out.dimension = rows.dimension();
  out.offsets.assign(groups + 1, 0);
  out.values.resize(1);
  // In pieces, so that only one piece of Eigen vectors is alive at a time.
  constexpr size_t kPiece = 1 << 14;
  std::vector<SparseVec> sums(std::min<size_t>(groups, kPiece));
  for (uint32_t start = 0; start < groups; start += kPiece) {
    const uint32_t stop =
        static_cast<uint32_t>(std::min<size_t>(groups, start + kPiece));
    ParallelFor(stop - start, threads, 64, [&](size_t begin, size_t end, int) {
      SparseVec member(dimension);
      for (size_t g = start + begin; g < start + end; ++g) {
        SparseVec sum(dimension);
        for (uint32_t m : group.of(static_cast<uint32_t>(g))) {
          const Row row = rows[m];
          member.setZero();
          member.reserve(static_cast<Eigen::Index>(row.indices.size()));
          for (size_t t = 0; t < row.indices.size(); ++t) {
            member.insert(row.indices[t]) = row.values[t];
          }
          sum += member;
        }
        const float norm = sum.norm();
        if (norm > 0) sum /= norm;
        sums[g - start] = std::move(sum);
      }
    });
    // The piece's rows are laid out (serially: sizes only), then copied
    // into place and freed on the workers.
    for (uint32_t g = start; g < stop; ++g) {
      out.offsets[g + 1] =
          out.offsets[g] + static_cast<uint64_t>(sums[g - start].nonZeros());
    }
    out.indices.resize(out.offsets[stop]);
    out.values[0].resize(out.offsets[stop]);
    ParallelFor(stop - start, threads, 256, [&](size_t begin, size_t end, int) {
      for (size_t g = start + begin; g < start + end; ++g) {
        uint64_t at = out.offsets[g];
        for (SparseVec::InnerIterator it(sums[g - start]); it; ++it, ++at) {
          out.indices[at] = static_cast<uint32_t>(it.index());
          out.values[0][at] = it.value();
        }
        sums[g - start] = SparseVec();
      }
    });
  }
  return out;
}

// Events are independent: a range of them per worker, each with its own
// scratch.
std::vector<uint32_t> Representatives(const Vectors& events,
                                      const Vectors& topic,
                                      const GroupMembers& event_members,
                                      const std::vector<uint32_t>& originals,
                                      int threads) {
  const uint32_t num_events = event_members.groups();
  std::vector<uint32_t> representative(num_events);
  std::vector<ScatteredDot> centroids(ResolveThreads(threads));
  ParallelFor(
      num_events, threads, 1024, [&](size_t begin, size_t end, int worker) {
        ScatteredDot& centroid = centroids[worker];
        for (size_t e = begin; e < end; ++e) {
          const auto members = event_members.of(static_cast<uint32_t>(e));
          representative[e] = originals[members[0]];
          if (members.size() == 1) continue;
          centroid.Set(events.text[e], events.text.dimension());
          double best = -1.0;
          for (uint32_t k : members) {
            const double similarity = centroid.Dot(topic.text[k]);
            if (similarity > best) {
              best = similarity;
              representative[e] = originals[k];
            }
          }
        }
      });
  return representative;
}

std::vector<SimilarityEdge> StorylineEdges(const Vectors& events,
                                           const StorylineOptions& options,
                                           CandidateSearch search) {
  const uint32_t num_events = static_cast<uint32_t>(events.text.size());
  const double ws = options.entity_weight;
  auto similarity = [&](uint32_t, uint32_t, const PairDots& dots) {
    return (1 - ws) * dots.Text() + ws * dots.Entity();
  };
  search.limits.edges = static_cast<size_t>(std::max(1, options.max_edges));
  // Events propose each other through their strongest terms as they are,
  // a term of one event alone included: only events whose own strongest
  // terms coincide are compared, which is part of what keeps unrelated
  // events out of a storyline (choosing among shared terms only, as for
  // articles, linked more events and lowered storyline F1 on the dev sets:
  // docs/parameters.md).
  search.max_postings = std::max<size_t>(50, num_events / 20);
  return CandidateEdges(events, search, similarity);
}

std::vector<uint32_t> LinkStorylines(uint32_t num_events,
                                     std::vector<SimilarityEdge> edges,
                                     const StorylineOptions& options,
                                     int threads) {
  LinkageOptions linkage;
  linkage.threshold = options.similarity;
  linkage.threads = threads;
  return AverageLinkage(num_events, std::move(edges), linkage);
}

}  // namespace storycluster
