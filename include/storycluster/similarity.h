// The similarity kernel: batched MinHash signature agreement (one query
// against a block of candidate signatures, full or as one-byte sketches) and
// batched sparse dot products (one dense query against many sparse TF-IDF
// vectors). A scalar reference and AVX2 / AVX-512 implementations, chosen once
// at run time.
#ifndef STORYCLUSTER_SIMILARITY_H_
#define STORYCLUSTER_SIMILARITY_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/types/span.h"

namespace storycluster {

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

}  // namespace storycluster

#endif  // STORYCLUSTER_SIMILARITY_H_
