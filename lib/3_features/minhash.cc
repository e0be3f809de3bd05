// One-permutation MinHash with optimal densification (see minhash.h).
#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "lib/common/xxhash_inline.h"
#include "storycluster/features.h"

namespace storycluster {
namespace {

// Bin of the probe sequence for empty bin `bin` at attempt `attempt`.
uint32_t ProbeBin(uint32_t bin, uint32_t attempt, uint32_t num_bins,
                  uint64_t seed) {
  const uint64_t key = (static_cast<uint64_t>(bin) << 32) | attempt;
  const uint64_t h = XXH3_64bits_withSeed(&key, sizeof(key), seed ^ 1);
  return static_cast<uint32_t>(((h >> 32) * num_bins) >> 32);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MinHasher>> MinHasher::Create(
    MinHashOptions options) {
  if (options.num_hashes < 1 || options.num_hashes > 65536) {
    return absl::InvalidArgumentError(absl::StrCat(
        "num_hashes must be in [1, 65536], got ", options.num_hashes));
  }
  SignatureFormat format;
  format.num_hashes = options.num_hashes;
  format.seed = options.seed;
  return std::unique_ptr<MinHasher>(new MinHasher(format));
}

void MinHasher::Sign(absl::Span<const uint64_t> shingles,
                     absl::Span<uint32_t> out) const {
  const uint32_t k = format_.num_hashes;
  std::fill(out.begin(), out.end(), kEmptySignatureValue);
  if (shingles.empty()) return;
  // `filled` marks bins that received a value (a value may itself equal
  // kEmptySignatureValue, so the value cannot be the marker).
  // On the stack for the usual sizes: signing is per article.
  absl::InlinedVector<uint8_t, 512> filled(k, 0);
  for (uint64_t s : shingles) {
    const uint64_t x = XXH3_64bits_withSeed(&s, sizeof(s), format_.seed);
    const uint32_t bin = static_cast<uint32_t>(((x >> 32) * k) >> 32);
    const uint32_t value = static_cast<uint32_t>(x);
    // An unfilled bin still holds kEmptySignatureValue, the largest value,
    // so a plain minimum also fills it.
    out[bin] = std::min(out[bin], value);
    filled[bin] = 1;
  }
  // Densify from the original (pre-densification) values only.
  const absl::InlinedVector<uint32_t, 512> original(out.begin(), out.end());
  for (uint32_t bin = 0; bin < k; ++bin) {
    if (filled[bin]) continue;
    for (uint32_t attempt = 0;; ++attempt) {
      const uint32_t donor = ProbeBin(bin, attempt, k, format_.seed);
      if (filled[donor]) {
        out[bin] = original[donor];
        break;
      }
    }
  }
}

std::vector<uint32_t> MinHasher::Sign(
    absl::Span<const uint64_t> shingles) const {
  std::vector<uint32_t> out(format_.num_hashes);
  Sign(shingles, absl::MakeSpan(out));
  return out;
}


}  // namespace storycluster
