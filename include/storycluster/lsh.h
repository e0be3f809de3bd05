// Banded locality-sensitive hashing over MinHash signatures: candidates are
// documents that agree on every value of at least one band of `rows`
// consecutive signature positions. docs/parameters.md shows the S-curve.
#ifndef STORYCLUSTER_LSH_H_
#define STORYCLUSTER_LSH_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace storycluster {

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

}  // namespace storycluster

#endif  // STORYCLUSTER_LSH_H_
