// MinHash signatures of shingle sets by one-permutation hashing (OPH) with
// optimal densification: one hash per shingle instead of one per shingle
// and per signature position. docs/signatures.md specifies the format.
#ifndef STORYCLUSTER_MINHASH_H_
#define STORYCLUSTER_MINHASH_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace storycluster {

// Version of the signature format (hashing, binning, densification). Bump
// it whenever any signature value could change; golden tests pin version 1.
inline constexpr uint32_t kSignatureFormatVersion = 1;
inline constexpr uint64_t kMinHashSeed = 0x6d696e6861736831ULL;  // "minhash1"
// Value of every position of the signature of an empty set.
inline constexpr uint32_t kEmptySignatureValue = 0xFFFFFFFFu;

struct MinHashOptions {
  // Values per signature. Default: 128. REQUIRES: 1 <= num_hashes <= 65536.
  uint32_t num_hashes = 128;
  // Seed of the per-shingle re-hash and of densification. Default:
  // kMinHashSeed. Signatures are comparable only under the same seed.
  uint64_t seed = kMinHashSeed;
};

// What a signature was computed under; stored with persisted signatures.
struct SignatureFormat {
  uint32_t version = kSignatureFormatVersion;
  uint32_t num_hashes = 128;
  uint64_t seed = kMinHashSeed;
  friend bool operator==(const SignatureFormat&,
                         const SignatureFormat&) = default;
};

// Computes signatures.
//
// Each shingle hash h is re-hashed, x = XXH3_64(h, seed); its high 32 bits
// choose a bin (multiply-shift onto [0, num_hashes)), its low 32 bits are
// the value; a bin keeps its minimum value. Empty bins then copy the value
// of a non-empty bin chosen by a seeded probe sequence (Shrivastava, "Optimal
// Densification for Fast and Accurate Minwise Hashing", ICML 2017), which
// keeps Pr[sig_a[i] == sig_b[i]] = Jaccard(a, b).
//
// Thread safety: thread-safe and logically immutable.
class MinHasher {
 public:
  static absl::StatusOr<std::unique_ptr<MinHasher>> Create(
      MinHashOptions options = {});

  SignatureFormat format() const { return format_; }
  uint32_t num_hashes() const { return format_.num_hashes; }

  // Writes the signature of `shingles` (any order, duplicates allowed) to
  // `out`. An empty set gives kEmptySignatureValue everywhere.
  // REQUIRES: out.size() == num_hashes().
  void Sign(absl::Span<const uint64_t> shingles,
            absl::Span<uint32_t> out) const;
  std::vector<uint32_t> Sign(absl::Span<const uint64_t> shingles) const;

 private:
  explicit MinHasher(SignatureFormat format) : format_(format) {}
  SignatureFormat format_;
};

// Estimated Jaccard similarity: the fraction of positions where `a` and `b`
// agree. REQUIRES: a.size() == b.size() > 0.
double EstimateJaccard(absl::Span<const uint32_t> a,
                       absl::Span<const uint32_t> b);

}  // namespace storycluster

#endif  // STORYCLUSTER_MINHASH_H_
