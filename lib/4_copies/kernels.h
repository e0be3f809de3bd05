// Internal: the per-instruction-set kernel entry points. Each set lives in
// its own file compiled with its own flags (kernel_avx2.cc: -mavx2 -mfma;
// kernel_avx512.cc: -mavx512f -mavx512bw -mavx512vl); kernel_scalar.cc is
// the reference every other implementation must match.
#ifndef STORYCLUSTER_LIB_4_COPIES_KERNELS_H_
#define STORYCLUSTER_LIB_4_COPIES_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace storycluster::kernel {

using AgreementFn = void (*)(const uint32_t* query, const uint32_t* block,
                             size_t n, size_t k, uint32_t* counts);
using SketchAgreementFn = void (*)(const uint8_t* query, const uint8_t* block,
                                   size_t n, size_t k, uint32_t* counts);
using SparseDotFn = void (*)(const float* dense, const uint32_t* offsets,
                             const uint32_t* indices, const float* values,
                             size_t n, float* out);

namespace scalar {
void Agreement(const uint32_t* query, const uint32_t* block, size_t n, size_t k,
               uint32_t* counts);
void SketchAgreement(const uint8_t* query, const uint8_t* block, size_t n,
                     size_t k, uint32_t* counts);
void SparseDot(const float* dense, const uint32_t* offsets,
               const uint32_t* indices, const float* values, size_t n,
               float* out);
}  // namespace scalar

#ifdef STORYCLUSTER_HAVE_AVX2
namespace avx2 {
void Agreement(const uint32_t* query, const uint32_t* block, size_t n, size_t k,
               uint32_t* counts);
void SketchAgreement(const uint8_t* query, const uint8_t* block, size_t n,
                     size_t k, uint32_t* counts);
void SparseDot(const float* dense, const uint32_t* offsets,
               const uint32_t* indices, const float* values, size_t n,
               float* out);
}  // namespace avx2
#endif

#ifdef STORYCLUSTER_HAVE_AVX512
namespace avx512 {
void Agreement(const uint32_t* query, const uint32_t* block, size_t n, size_t k,
               uint32_t* counts);
void SketchAgreement(const uint8_t* query, const uint8_t* block, size_t n,
                     size_t k, uint32_t* counts);
void SparseDot(const float* dense, const uint32_t* offsets,
               const uint32_t* indices, const float* values, size_t n,
               float* out);
}  // namespace avx512
#endif

}  // namespace storycluster::kernel

#endif  // STORYCLUSTER_LIB_4_COPIES_KERNELS_H_
