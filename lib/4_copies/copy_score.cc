#include "lib/4_copies/copy_score.h"

#include <algorithm>
#include <atomic>
#include <bit>

#include "lib/common/sorted_sets.h"

namespace storycluster {

ShingleFrequency::ShingleFrequency(uint64_t shingles)
    : counts_(std::bit_ceil(std::max<uint64_t>(shingles, 64)), 0),
      mask_(counts_.size() - 1) {}

void ShingleFrequency::Add(absl::Span<const uint64_t> set) {
  // The table outgrows the cache; a locked update waits for its line, and
  // the next cannot start before it: every line of the set is requested
  // first, so that the misses overlap and the updates then hit.
  for (uint64_t s : set) __builtin_prefetch(&counts_[s & mask_], 1);
  for (uint64_t s : set) {
    std::atomic_ref<uint8_t> count(counts_[s & mask_]);
    uint8_t seen = count.load(std::memory_order_relaxed);
    // Saturating: the result is the same in any order of the additions.
    while (seen < kSaturated &&
           !count.compare_exchange_weak(seen, static_cast<uint8_t>(seen + 1),
                                        std::memory_order_relaxed)) {
    }
  }
}

SetProfile ProfileOf(absl::Span<const uint64_t> set,
                     const ShingleFrequency* frequency,
                     const CopyOptions& options) {
  SetProfile p;
  p.size = set.size();
  if (frequency == nullptr) return p;
  for (uint64_t s : set) frequency->Prefetch(s);
  for (uint64_t s : set) {
    const uint8_t count = frequency->Count(s);
    p.common += count > options.common_articles;
    p.saturated += count == ShingleFrequency::kSaturated;
  }
  return p;
}

namespace {

// Whether `own_shared` of an article's `own` shingles (those not common at
// the level it is judged at) make it a copy: enough of them, or nearly all
// of a few when nearly all of the article is shared too (a reprint; two
// instances of a template whose names coincide differ in its numbers).
bool OwnWordingShared(double own_shared, double own, double shared, double size,
                      const CopyOptions& options) {
  return own_shared >= options.distinct_containment * own &&
         (own_shared >= options.min_distinct_shared ||
          (own_shared >= options.distinct_reprint * own &&
           shared >= options.distinct_reprint * size));
}

}  // namespace

double CopyScore(absl::Span<const uint64_t> later, const SetProfile& later_p,
                 absl::Span<const uint64_t> earlier,
                 const ShingleFrequency* frequency,
                 const CopyOptions& options) {
  if (later.empty() && earlier.empty()) return 0.0;
  size_t shared_count = 0;
  const double size = static_cast<double>(later_p.size);
  const double common = static_cast<double>(later_p.common);
  const double saturated = static_cast<double>(later_p.saturated);
  if (frequency != nullptr && later_p.common > 0 &&
      (common <= options.max_common_share * size || saturated < size)) {
    size_t shared_common = 0, shared_saturated = 0;
    ForEachCommon(later, earlier, [&](uint64_t s) {
      ++shared_count;
      const uint8_t count = frequency->Count(s);
      shared_common += count > options.common_articles;
      shared_saturated += count == ShingleFrequency::kSaturated;
    });
    // A template's instance shares the template's wording, not the
    // article's own: of `later`'s shingles that are not common, too few
    // are in `earlier`. An article that is mostly common is a copy of a
    // widely reprinted story, or, in a large corpus, an instance of a
    // template whose names and numbers are common too: it is judged on
    // the shingles that are not in a saturated count of articles (a
    // template's fixed wording), which a copy shares and an instance does
    // not.
    const bool mostly = common > options.max_common_share * size;
    const double own = mostly ? size - saturated : size - common;
    const double own_shared = static_cast<double>(
        shared_count - (mostly ? shared_saturated : shared_common));
    if (!OwnWordingShared(own_shared, own, static_cast<double>(shared_count),
                          size, options)) {
      return 0.0;
    }
  } else {
    shared_count = CommonCount(later, earlier);
  }
  const double shared = static_cast<double>(shared_count);
  const double later_size = static_cast<double>(later.size());
  const double earlier_size = static_cast<double>(earlier.size());
  const double union_size = later_size + earlier_size - shared;
  const double jaccard =
      union_size > 0 ? std::min(1.0, shared / union_size) : 0.0;
  if (options.containment <= 0 || shared < options.min_shared_shingles ||
      later_size <= 0) {
    return jaccard;
  }
  const double containment = std::min(1.0, shared / later_size);
  const double scaled = containment * options.threshold / options.containment;
  // Below the containment the later article holds too much that is not in
  // the earlier one (new reporting), however similar the two sets' sizes.
  return containment < options.containment ? scaled : std::max(jaccard, scaled);
}

double LeastCopyJaccard(size_t later_size, size_t earlier_size,
                        const CopyOptions& options) {
  if (options.containment <= 0) return options.threshold;
  const double shared = options.containment * static_cast<double>(later_size);
  const double union_size =
      static_cast<double>(later_size + earlier_size) - shared;
  if (union_size <= 0) return options.threshold;
  return std::min(options.threshold, shared / union_size);
}

}  // namespace storycluster
