// Copy detection: MinHash signatures, LSH candidates, kernel-estimated and
// then exact shingle Jaccard verification, and grouping under each group's
// original so that chains cannot merge unrelated articles.
#ifndef STORYCLUSTER_DEDUP_H_
#define STORYCLUSTER_DEDUP_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storycluster/corpus.h"
#include "storycluster/features.h"
#include "storycluster/minhash.h"

namespace storycluster {

struct DedupOptions {
  // Exact shingle Jaccard at or above which an article is a copy of its
  // group's original. Default: 0.5. REQUIRES: 0 < threshold <= 1.
  double threshold = 0.5;
  MinHashOptions minhash;
  // LSH bands/rows are chosen by LshOptions::ForThreshold(threshold -
  // candidate_margin): with the defaults (0.3 → 37 x 3) a pair exactly at
  // the threshold becomes a candidate with probability 0.993. Default: 0.2.
  // REQUIRES: 0 <= candidate_margin < threshold.
  double candidate_margin = 0.2;
  // Candidates whose signature agreement is below threshold - estimate_slack
  // are dropped before the exact check. Default: 0.15 (about 3 standard
  // deviations of the estimate at 128 hashes and J = 0.5). 1 disables it.
  double estimate_slack = 0.15;
  // An article is compared with at most this many earlier originals per
  // LSH band bucket, the latest ones (LshOptions::max_per_bucket), so the
  // work per article does not grow with the corpus. 0: no limit.
  // Default: 64.
  uint32_t max_bucket_candidates = 64;
  // Threads for signing (0: all cores). The result is the same for any
  // value. Default: 0.
  int threads = 0;
};

struct DedupStats {
  uint64_t candidates = 0;  // (article, original) pairs from LSH
  uint64_t estimated = 0;   // pairs that passed the signature estimate
  uint64_t verified = 0;    // pairs at or above the exact threshold
};

struct CopyGroups {
  // Per article: its group, numbered densely in input order of each group's
  // first member.
  std::vector<uint32_t> group;
  // Per article: index of its group's original (the earliest-published
  // member; input order breaks ties). original_of[i] == i for originals.
  std::vector<uint32_t> original_of;
  uint32_t num_groups = 0;
  DedupStats stats;
};

// Groups articles into copy groups. `shingles[i]` is the sorted unique
// shingle set of article i (shingle.h) and `published[i]` its time.
// Articles are visited in publication order (unknown times last); each is
// compared only with earlier originals and joins the most similar one whose
// exact Jaccard reaches the threshold, else it becomes an original itself.
// Deterministic for the same input and options.
absl::StatusOr<CopyGroups> FindCopyGroups(
    absl::Span<const std::vector<uint64_t>> shingles,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options = {});
// The same, reading each article's shingle set from its features (no copy).
absl::StatusOr<CopyGroups> FindCopyGroups(
    absl::Span<const ArticleFeatures> features,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options = {});

// The same, reading the shingle sets from a store (memory or a temporary
// file; see corpus.h). REQUIRES: the store is flushed. A read error of the
// store is returned.
absl::StatusOr<CopyGroups> FindCopyGroups(
    const ShingleStore& shingles,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options = {});
// The same over a corpus's shingle store, using the signatures made as its
// features were extracted (CorpusFeatures::signatures) when they were made
// under options.minhash.
absl::StatusOr<CopyGroups> FindCopyGroups(
    const CorpusFeatures& corpus,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options = {});
// The same with the sets' signatures already made: one row of
// options.minhash.num_hashes values per set, row-major, by a MinHasher
// with options.minhash (CorpusFeatures::signatures). They are not computed
// again. A matrix of another size is refused.
absl::StatusOr<CopyGroups> FindCopyGroups(
    const ShingleStore& shingles, absl::Span<const uint32_t> signatures,
    absl::Span<const std::optional<absl::Time>> published,
    const DedupOptions& options = {});

}  // namespace storycluster

#endif  // STORYCLUSTER_DEDUP_H_
