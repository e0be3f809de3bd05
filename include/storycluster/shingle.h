// Word shingles: every run of k consecutive tokens of an article, hashed
// with XXH3-64 under a fixed seed. The sorted, unique hash set is the input
// of MinHash (minhash.h) and of exact Jaccard verification.
#ifndef STORYCLUSTER_SHINGLE_H_
#define STORYCLUSTER_SHINGLE_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "storycluster/tokenize.h"

namespace storycluster {

// Seed of the shingle hash. Part of the signature format: changing it
// changes every persisted shingle and signature value (pinned by golden
// tests in tests/3_features/).
inline constexpr uint64_t kShingleSeed = 0x73746f7279636c75ULL;  // "storyclu"

// Default words per shingle; docs/parameters.md explains the choice.
inline constexpr int kDefaultShingleSize = 5;

// Hashes of the word k-shingles of `tokens` (URL tokens skipped), sorted
// and unique. Each shingle is the token texts joined by U+001F, hashed with
// XXH3_64bits_withSeed(kShingleSeed). A text shorter than k words gives one
// shingle of all its words; no words give an empty set.
// REQUIRES: k >= 1.
std::vector<uint64_t> ShingleHashes(absl::Span<const Token> tokens, int k);
// The same for tokens [first, last) of `tokens`, hashed in place.
std::vector<uint64_t> ShingleHashes(const TokenList& tokens, size_t first,
                                    size_t last, int k);

// Exact Jaccard similarity |a ∩ b| / |a ∪ b| of two sorted unique sets
// (0 when both are empty).
double ExactJaccard(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b);

}  // namespace storycluster

#endif  // STORYCLUSTER_SHINGLE_H_
