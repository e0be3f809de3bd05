// Scalar reference kernels: the definition every SIMD implementation must
// reproduce (exactly for agreement counts; within rounding for dots).
#include "lib/4_copies/kernels.h"

namespace storycluster::kernel::scalar {

void Agreement(const uint32_t* query, const uint32_t* block, size_t n, size_t k,
               uint32_t* counts) {
  for (size_t i = 0; i < n; ++i) {
    const uint32_t* row = block + i * k;
    uint32_t count = 0;
    for (size_t j = 0; j < k; ++j) count += row[j] == query[j];
    counts[i] = count;
  }
}

void SketchAgreement(const uint8_t* query, const uint8_t* block, size_t n,
                     size_t k, uint32_t* counts) {
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* row = block + i * k;
    uint32_t count = 0;
    for (size_t j = 0; j < k; ++j) count += row[j] == query[j];
    counts[i] = count;
  }
}

void SparseDot(const float* dense, const uint32_t* offsets,
               const uint32_t* indices, const float* values, size_t n,
               float* out) {
  for (size_t i = 0; i < n; ++i) {
    float sum = 0;
    for (uint32_t j = offsets[i]; j < offsets[i + 1]; ++j) {
      sum += values[j] * dense[indices[j]];
    }
    out[i] = sum;
  }
}

}  // namespace storycluster::kernel::scalar
