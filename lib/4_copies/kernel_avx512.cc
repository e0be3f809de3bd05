// AVX-512 kernels (compiled with -mavx512f -mavx512bw -mavx512vl; run only
// when the CPU reports AVX-512F and BW). Scalar twins: kernel_scalar.cc.
//
// Agreement compares 16 values per instruction into a mask register and adds
// 1 in the matching lanes (_mm512_mask_add_epi32); the k % 16 tail uses
// masked loads, so there is no scalar remainder. Four rows share each query
// load, as in the AVX2 version.
#include <immintrin.h>

#include "lib/4_copies/kernels.h"

namespace storycluster::kernel::avx512 {
namespace {

inline __m512i Load(const uint32_t* p) { return _mm512_loadu_si512(p); }
inline __m512i LoadTail(__mmask16 m, const uint32_t* p) {
  return _mm512_maskz_loadu_epi32(m, p);
}

}  // namespace

void Agreement(const uint32_t* query, const uint32_t* block, size_t n, size_t k,
               uint32_t* counts) {
  const size_t kv = k & ~size_t{15};
  const __mmask16 tail = static_cast<__mmask16>((1u << (k - kv)) - 1);
  const __m512i ones = _mm512_set1_epi32(1);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t* r0 = block + i * k;
    const uint32_t* r1 = r0 + k;
    const uint32_t* r2 = r1 + k;
    const uint32_t* r3 = r2 + k;
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t j = 0; j < kv; j += 16) {
      const __m512i q = Load(query + j);
      a0 = _mm512_mask_add_epi32(a0, _mm512_cmpeq_epi32_mask(q, Load(r0 + j)),
                                 a0, ones);
      a1 = _mm512_mask_add_epi32(a1, _mm512_cmpeq_epi32_mask(q, Load(r1 + j)),
                                 a1, ones);
      a2 = _mm512_mask_add_epi32(a2, _mm512_cmpeq_epi32_mask(q, Load(r2 + j)),
                                 a2, ones);
      a3 = _mm512_mask_add_epi32(a3, _mm512_cmpeq_epi32_mask(q, Load(r3 + j)),
                                 a3, ones);
    }
    if (tail) {
      const __m512i q = LoadTail(tail, query + kv);
      a0 = _mm512_mask_add_epi32(
          a0, _mm512_mask_cmpeq_epi32_mask(tail, q, LoadTail(tail, r0 + kv)),
          a0, ones);
      a1 = _mm512_mask_add_epi32(
          a1, _mm512_mask_cmpeq_epi32_mask(tail, q, LoadTail(tail, r1 + kv)),
          a1, ones);
      a2 = _mm512_mask_add_epi32(
          a2, _mm512_mask_cmpeq_epi32_mask(tail, q, LoadTail(tail, r2 + kv)),
          a2, ones);
      a3 = _mm512_mask_add_epi32(
          a3, _mm512_mask_cmpeq_epi32_mask(tail, q, LoadTail(tail, r3 + kv)),
          a3, ones);
    }
    counts[i] = static_cast<uint32_t>(_mm512_reduce_add_epi32(a0));
    counts[i + 1] = static_cast<uint32_t>(_mm512_reduce_add_epi32(a1));
    counts[i + 2] = static_cast<uint32_t>(_mm512_reduce_add_epi32(a2));
    counts[i + 3] = static_cast<uint32_t>(_mm512_reduce_add_epi32(a3));
  }
  for (; i < n; ++i) {
    const uint32_t* r = block + i * k;
    __m512i a = _mm512_setzero_si512();
    for (size_t j = 0; j < kv; j += 16) {
      a = _mm512_mask_add_epi32(
          a, _mm512_cmpeq_epi32_mask(Load(query + j), Load(r + j)), a, ones);
    }
    if (tail) {
      a = _mm512_mask_add_epi32(
          a,
          _mm512_mask_cmpeq_epi32_mask(tail, LoadTail(tail, query + kv),
                                       LoadTail(tail, r + kv)),
          a, ones);
    }
    counts[i] = static_cast<uint32_t>(_mm512_reduce_add_epi32(a));
  }
}

// Sixteen-lane gathers from the dense query, masked for the row's tail.
void SparseDot(const float* dense, const uint32_t* offsets,
               const uint32_t* indices, const float* values, size_t n,
               float* out) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t j = offsets[i];
    const uint32_t end = offsets[i + 1];
    __m512 acc = _mm512_setzero_ps();
    for (; j + 16 <= end; j += 16) {
      const __m512i idx = _mm512_loadu_si512(indices + j);
      const __m512 g = _mm512_i32gather_ps(idx, dense, 4);
      acc = _mm512_fmadd_ps(_mm512_loadu_ps(values + j), g, acc);
    }
    if (j < end) {
      const __mmask16 m = static_cast<__mmask16>((1u << (end - j)) - 1);
      const __m512i idx = _mm512_maskz_loadu_epi32(m, indices + j);
      const __m512 g =
          _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, idx, dense, 4);
      acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, values + j), g, acc);
    }
    out[i] = _mm512_reduce_add_ps(acc);
  }
}

// 64 bytes per compare into a mask register, counted with popcount; the
// k % 64 tail uses a masked load (zeros compare equal on both sides, so
// the mask restricts the count to the tail's bytes).
void SketchAgreement(const uint8_t* query, const uint8_t* block, size_t n,
                     size_t k, uint32_t* counts) {
  const size_t kv = k & ~size_t{63};
  const __mmask64 tail = k == kv ? 0 : (~__mmask64{0} >> (64 - (k - kv)));
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* r = block + i * k;
    uint32_t count = 0;
    for (size_t j = 0; j < kv; j += 64) {
      count +=
          static_cast<uint32_t>(__builtin_popcountll(_mm512_cmpeq_epi8_mask(
              _mm512_loadu_si512(query + j), _mm512_loadu_si512(r + j))));
    }
    if (tail) {
      count += static_cast<uint32_t>(
          __builtin_popcountll(_mm512_mask_cmpeq_epi8_mask(
              tail, _mm512_maskz_loadu_epi8(tail, query + kv),
              _mm512_maskz_loadu_epi8(tail, r + kv))));
    }
    counts[i] = count;
  }
}

}  // namespace storycluster::kernel::avx512
