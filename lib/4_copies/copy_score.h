// Internal: the copy score of two shingle sets, and the document frequency
// of shingles that lets it discount wording common to much of the corpus
// (lib/4_copies/copies.cc; the sequential reference in the tests).
#ifndef STORYCLUSTER_LIB_4_COPIES_COPY_SCORE_H_
#define STORYCLUSTER_LIB_4_COPIES_COPY_SCORE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "storycluster/copies.h"

namespace storycluster {

// In how many articles each shingle occurs. Counts saturate at 255 in a
// table of one byte per slot, indexed by the hash's low bits; a slot shared
// by two shingles counts both, which only matters for the few slots that
// hold a common shingle. (Counting a sample of the shingles instead left
// too few of a short templated report's to judge it by.)
class ShingleFrequency {
 public:
  // A table for about `shingles` occurrences (at least one slot each,
  // rounded up to a power of two).
  explicit ShingleFrequency(uint64_t shingles);

  // Counts the shingles of one article's set (unique). Thread-safe: calls
  // for different articles may run concurrently.
  void Add(absl::Span<const uint64_t> set);

  static constexpr uint8_t kSaturated = 255;

  // The count of a shingle's slot (0..kSaturated).
  uint8_t Count(uint64_t shingle) const { return counts_[shingle & mask_]; }
  void Prefetch(uint64_t shingle) const {
    __builtin_prefetch(&counts_[shingle & mask_]);
  }

 private:
  std::vector<uint8_t> counts_;
  uint64_t mask_;
};

// A set's size, how many of its shingles are common (in more than
// CopyOptions::common_articles articles), and how many are in a saturated
// count of articles.
struct SetProfile {
  size_t size = 0;
  size_t common = 0;
  size_t saturated = 0;
};
SetProfile ProfileOf(absl::Span<const uint64_t> set,
                     const ShingleFrequency* frequency,
                     const CopyOptions& options);

// How much of a copy of `earlier` the `later` set is (CopyOptions): their
// Jaccard, or, when enough shingles are shared, the share of `later` found
// in `earlier`, scaled so that reaching options.containment scores the
// threshold. When part of `later` is common wording (a template's, at most
// options.max_common_share of its shingles), 0 unless enough of its
// shingles that are not common are in `earlier` (CopyOptions); when more
// of it is common, the same of its shingles that are not saturated.
// `frequency` null: nothing is common.
double CopyScore(absl::Span<const uint64_t> later, const SetProfile& later_p,
                 absl::Span<const uint64_t> earlier,
                 const ShingleFrequency* frequency, const CopyOptions& options);

// The least Jaccard two sets of these sizes have when they score the
// threshold: options.threshold, or less when containment can reach it
// (all of the shared shingles being `later`'s share options.containment).
// Candidates are pre-checked against it on their signatures.
double LeastCopyJaccard(size_t later_size, size_t earlier_size,
                        const CopyOptions& options);

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_4_COPIES_COPY_SCORE_H_
