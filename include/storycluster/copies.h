// Stage 4 of the pipeline, copies: banded LSH over MinHash signatures
// proposes candidate pairs, the similarity kernel estimates their
// agreement in batches, exact shingle Jaccard verifies them, and each
// copy group forms under its earliest-published original.
#ifndef STORYCLUSTER_COPIES_H_
#define STORYCLUSTER_COPIES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storycluster/features.h"

namespace storycluster {

// -------------------------------------------------------------------------
// Candidates: banded LSH.
//
// Banded locality-sensitive hashing over MinHash signatures: candidates are
// documents that agree on every value of at least one band of `rows`
// consecutive signature positions. docs/parameters.md shows the S-curve.

struct LshOptions {
  // Number of bands. Default: 32. REQUIRES: bands * rows <= num_hashes.
  uint32_t bands = 32;
  // Signature values per band. Default: 4.
  uint32_t rows = 4;
  // Seed of the band-key hash. Default: fixed.
  uint64_t seed = 0x6c736862616e6473ULL;  // "lshbands"
  // A query lists at most this many documents per band bucket: the most
  // recently inserted ones. Buckets of phrasing that many documents share
  // grow with the corpus; the limit keeps the work per query constant.
  // 0: no limit. Default: 0.
  uint32_t max_per_bucket = 0;

  // Chooses bands x rows (bands * rows <= num_hashes) minimising
  //   fp_weight * ∫_0^t P(s) ds + fn_weight * ∫_t^1 (1 - P(s)) ds,
  // with P(s) = 1 - (1 - s^rows)^bands the probability that a pair of
  // Jaccard similarity s becomes a candidate: the expected false positive
  // and false negative mass around the threshold t.
  // REQUIRES: 0 < threshold < 1, num_hashes >= 1, weights >= 0.
  static LshOptions ForThreshold(double threshold, uint32_t num_hashes,
                                 double fp_weight = 0.5,
                                 double fn_weight = 0.5);

  // P(s) above.
  double CandidateProbability(double jaccard) const;
};

// An index of signatures by band.
//
// Thread safety: Query() may run concurrently with other Query() calls;
// Insert() needs exclusive access.
class LshIndex {
 public:
  static absl::StatusOr<std::unique_ptr<LshIndex>> Create(
      const LshOptions& options, uint32_t num_hashes);
  ~LshIndex();

  // Adds document `id`. REQUIRES: signature.size() == num_hashes,
  // id < kMaxId.
  void Insert(uint32_t id, absl::Span<const uint32_t> signature);
  static constexpr uint32_t kMaxId = 0x7fffffffu;
  // Replaces `*out` with the ids sharing a band with `signature` (at most
  // `max_per_bucket` per band, the latest inserted), sorted and unique. The
  // index keeps 32 bits of each band key (8 bytes per band and document,
  // plus 4 per document in a bucket shared with others), so rarely an id
  // whose band key differs only in the other bits is listed too; callers
  // check candidates' signatures anyway.
  void Query(absl::Span<const uint32_t> signature,
             std::vector<uint32_t>* out) const;
  size_t size() const;

  // The same in steps, for callers that hash once and insert in batches.
  // Band keys of a signature: `keys` has one slot per band.
  void BandKeys(absl::Span<const uint32_t> signature,
                absl::Span<uint64_t> keys) const;
  // Starts loading the buckets of these band keys into the cache (a hint;
  // no effect on results): a caller about to query several signatures can
  // overlap the next one's memory accesses with the current one's work.
  void PrefetchKeys(absl::Span<const uint64_t> keys) const;
  // Query() from band keys.
  void QueryKeys(absl::Span<const uint64_t> keys,
                 std::vector<uint32_t>* out) const;
  // Inserts ids[i] with band keys keys[i * bands, (i + 1) * bands), on
  // `threads` threads (one band per task); the index is the same as after
  // inserting them one by one in order. REQUIRES: every id < kMaxId.
  void InsertBatch(absl::Span<const uint32_t> ids,
                   absl::Span<const uint64_t> keys, int threads);
  uint32_t bands() const;

 private:
  struct Rep;
  explicit LshIndex(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// -------------------------------------------------------------------------
// The similarity kernel.
//
// The similarity kernel: batched MinHash signature agreement (one query
// against a block of candidate signatures, full or as one-byte sketches) and
// batched sparse dot products (one dense query against many sparse TF-IDF
// vectors). A scalar reference and AVX2 / AVX-512 implementations, chosen once
// at run time.

enum class KernelIsa { kScalar, kAvx2, kAvx512 };

// "scalar", "avx2", "avx512".
std::string_view KernelIsaName(KernelIsa isa);

// The implementations compiled in and supported by this CPU, scalar first.
std::vector<KernelIsa> AvailableKernels();

// The implementation used by the functions below: the best available one,
// unless the environment variable STORYCLUSTER_KERNEL names another
// available one (scalar, avx2, avx512). Chosen once per process.
KernelIsa ActiveKernel();

// For each of the `n` candidate signatures stored one after another in
// `block` (row i is block[i*k, (i+1)*k) with k = query.size()), writes the
// number of positions equal to `query` to counts[i].
// REQUIRES: block.size() == n * k, counts.size() >= n.
void SignatureAgreement(absl::Span<const uint32_t> query,
                        absl::Span<const uint32_t> block, size_t n,
                        absl::Span<uint32_t> counts);
// Estimated Jaccard similarity of two MinHash signatures: the fraction of
// positions where `a` and `b` agree. REQUIRES: a.size() == b.size() > 0.
double EstimateJaccard(absl::Span<const uint32_t> a,
                       absl::Span<const uint32_t> b);
// The same with a given implementation (tests and benchmarks).
// REQUIRES: `isa` is in AvailableKernels().
void SignatureAgreementWith(KernelIsa isa, absl::Span<const uint32_t> query,
                            absl::Span<const uint32_t> block, size_t n,
                            absl::Span<uint32_t> counts);

// The same over signature sketches: one byte per hash, the low 8 bits of
// each MinHash value (b-bit minwise hashing, Li & König). Rows that agree
// on a full value agree on its byte, so a sketch count is never below the
// full count: a sketch filter at the full filter's bound keeps every
// candidate the full one would, and a few more (unequal values with equal
// low bytes, 1 in 256 positions).
// REQUIRES: block.size() == n * k, counts.size() >= n.
void SketchAgreement(absl::Span<const uint8_t> query,
                     absl::Span<const uint8_t> block, size_t n,
                     absl::Span<uint32_t> counts);
void SketchAgreementWith(KernelIsa isa, absl::Span<const uint8_t> query,
                         absl::Span<const uint8_t> block, size_t n,
                         absl::Span<uint32_t> counts);

// Sparse vectors in compressed rows: vector i has the entries
// [offsets[i], offsets[i+1]) of `indices` / `values`.
struct SparseRows {
  absl::Span<const uint32_t> offsets;  // n + 1 entries, non-decreasing
  absl::Span<const uint32_t> indices;  // each < dense_query.size()
  absl::Span<const float> values;
};

// out[i] = sum_j rows.values[j] * dense_query[rows.indices[j]] over row i.
// Floating-point sums may differ between implementations by rounding
// (tests allow a relative 1e-5).
void SparseDotBatch(absl::Span<const float> dense_query, const SparseRows& rows,
                    absl::Span<float> out);
void SparseDotBatchWith(KernelIsa isa, absl::Span<const float> dense_query,
                        const SparseRows& rows, absl::Span<float> out);

// -------------------------------------------------------------------------
// Copy groups.
//
// Copy detection: MinHash signatures, LSH candidates, kernel-estimated and
// then exact shingle Jaccard verification, and grouping under each group's
// original so that chains cannot merge unrelated articles.

struct CopyOptions {
  // Exact shingle Jaccard at or above which an article is a copy of its
  // group's original. Default: 0.5. REQUIRES: 0 < threshold <= 1.
  double threshold = 0.5;
  // A copy may also be mostly found in its original instead: an article at
  // least `containment` of whose shingles are in the earlier one (a copy
  // with paragraphs dropped and words replaced; a follow-up's new
  // reporting is not in its source) counts as at the threshold when
  // containment is just reached, and above it as containment grows (score
  // = containment * threshold / `containment`). Once at least
  // `min_shared_shingles` shingles are shared, containment also decides
  // alone: below it the pair is no copy whatever its Jaccard (a follow-up
  // that repeats most of a story of its own size has Jaccard over the
  // threshold). With fewer shared shingles Jaccard decides: a copy
  // decision never rests on a handful of shingles. containment = 0
  // disables the rule. Defaults: 0.65 and 50 (docs/parameters.md).
  // REQUIRES: 0 <= containment <= 1.
  double containment = 0.65;
  uint32_t min_shared_shingles = 50;
  // A copy has one source. An article that verifies against this many
  // originals or more (originals are never copies of each other) shares
  // the wording of a template with all of them, as templated weather,
  // market and match reports do: it becomes an original itself. 0: no
  // limit. Default: 3.
  uint32_t max_sources = 3;
  // Template wording: a shingle in more than `common_articles` articles of
  // the corpus is common. When common shingles are part of an article, but
  // at most `max_common_share` of it (a templated report's fixed wording
  // around its own names and numbers), the article is a copy only if also
  // at least `distinct_containment` of its other shingles (its own
  // wording) are in the earlier one, and at least `min_distinct_shared` of
  // them, unless `distinct_reprint` of them and of the whole article are
  // (two instances of a template whose numbers happen to coincide share
  // half of a few own shingles, two for one place share those but not the
  // numbers; a reprint of one shares nearly all). An article more common
  // than `max_common_share` (a widely reprinted story's copy, or a
  // template's instance in a corpus so large that its names and numbers
  // are common too) is judged the same way on its shingles whose count is
  // not saturated (lib/4_copies/copy_score.h). common_articles = 0
  // disables the rule. Defaults: 64, 0.75, 0.5, 25 and 0.9
  // (docs/parameters.md). REQUIRES: common_articles <= 254; the shares in
  // [0, 1].
  uint32_t common_articles = 64;
  double max_common_share = 0.75;
  double distinct_containment = 0.5;
  uint32_t min_distinct_shared = 25;
  double distinct_reprint = 0.9;
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

struct CopyStats {
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
  CopyStats stats;
};

// Groups the corpus's articles into copy groups. Article i's shingle set is
// corpus.shingles (sorted, unique; REQUIRES: the store is flushed) and
// `published[i]` its time. Articles are visited in publication order
// (unknown times last); each is compared only with earlier originals and
// joins the most similar one whose exact Jaccard reaches the threshold,
// else it becomes an original itself. The corpus's signatures are used
// when they were made under options.minhash (same length and seed), and
// made here otherwise; a signature matrix of another size is refused. A
// read error of the store is returned. Deterministic for the same input
// and options. Articles held as ArticleFeatures go in with
// CorpusFeatures::Append.
absl::StatusOr<CopyGroups> FindCopyGroups(
    const CorpusFeatures& corpus,
    absl::Span<const std::optional<absl::Time>> published,
    const CopyOptions& options = {});

}  // namespace storycluster

#endif  // STORYCLUSTER_COPIES_H_
