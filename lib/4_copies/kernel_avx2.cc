// AVX2 kernels (this file is compiled with -mavx2 -mfma; it runs only when
// the CPU reports AVX2). Scalar twins: kernel_scalar.cc.
//
// Agreement: four candidate rows are processed together so each 8-value
// chunk of the query is loaded once per four rows (the batch_4 idea of
// Faiss' distance kernels). _mm256_cmpeq_epi32 gives -1 in equal lanes, so
// subtracting it from an accumulator counts matches; the horizontal sum
// happens once per row. Remainders (k % 8, n % 4) use the scalar loop.
//
// SketchAgreement compares 32 bytes per instruction.
#include <immintrin.h>

#include "lib/4_copies/kernels.h"

namespace storycluster::kernel::avx2 {
namespace {

inline uint32_t HorizontalSum(__m256i v) {
  __m128i s =
      _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return static_cast<uint32_t>(_mm_cvtsi128_si32(s));
}

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

inline __m256i Load(const uint32_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

inline uint32_t TailCount(const uint32_t* q, const uint32_t* row, size_t from,
                          size_t k) {
  uint32_t count = 0;
  for (size_t j = from; j < k; ++j) count += row[j] == q[j];
  return count;
}

}  // namespace

void Agreement(const uint32_t* query, const uint32_t* block, size_t n, size_t k,
               uint32_t* counts) {
  const size_t kv = k & ~size_t{7};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t* r0 = block + i * k;
    const uint32_t* r1 = r0 + k;
    const uint32_t* r2 = r1 + k;
    const uint32_t* r3 = r2 + k;
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t j = 0; j < kv; j += 8) {
      const __m256i q = Load(query + j);
      a0 = _mm256_sub_epi32(a0, _mm256_cmpeq_epi32(q, Load(r0 + j)));
      a1 = _mm256_sub_epi32(a1, _mm256_cmpeq_epi32(q, Load(r1 + j)));
      a2 = _mm256_sub_epi32(a2, _mm256_cmpeq_epi32(q, Load(r2 + j)));
      a3 = _mm256_sub_epi32(a3, _mm256_cmpeq_epi32(q, Load(r3 + j)));
    }
    counts[i] = HorizontalSum(a0) + TailCount(query, r0, kv, k);
    counts[i + 1] = HorizontalSum(a1) + TailCount(query, r1, kv, k);
    counts[i + 2] = HorizontalSum(a2) + TailCount(query, r2, kv, k);
    counts[i + 3] = HorizontalSum(a3) + TailCount(query, r3, kv, k);
  }
  for (; i < n; ++i) {
    const uint32_t* r = block + i * k;
    __m256i a = _mm256_setzero_si256();
    for (size_t j = 0; j < kv; j += 8) {
      a = _mm256_sub_epi32(a, _mm256_cmpeq_epi32(Load(query + j), Load(r + j)));
    }
    counts[i] = HorizontalSum(a) + TailCount(query, r, kv, k);
  }
}

// One row at a time: _mm256_cmpeq_epi8 marks equal bytes, movemask packs
// the marks into 32 bits, popcount counts them.
void SketchAgreement(const uint8_t* query, const uint8_t* block, size_t n,
                     size_t k, uint32_t* counts) {
  const size_t kv = k & ~size_t{31};
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* r = block + i * k;
    uint32_t count = 0;
    for (size_t j = 0; j < kv; j += 32) {
      const __m256i eq = _mm256_cmpeq_epi8(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query + j)),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + j)));
      count += static_cast<uint32_t>(
          __builtin_popcount(static_cast<uint32_t>(_mm256_movemask_epi8(eq))));
    }
    for (size_t j = kv; j < k; ++j) count += r[j] == query[j];
    counts[i] = count;
  }
}

// Gathers the dense query's weights at the row's indices, eight at a time,
// and accumulates with fused multiply-add.
void SparseDot(const float* dense, const uint32_t* offsets,
               const uint32_t* indices, const float* values, size_t n,
               float* out) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t j = offsets[i];
    const uint32_t end = offsets[i + 1];
    __m256 acc = _mm256_setzero_ps();
    for (; j + 8 <= end; j += 8) {
      const __m256i idx =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(indices + j));
      const __m256 g = _mm256_i32gather_ps(dense, idx, 4);
      acc = _mm256_fmadd_ps(_mm256_loadu_ps(values + j), g, acc);
    }
    float sum = HorizontalSum(acc);
    for (; j < end; ++j) sum += values[j] * dense[indices[j]];
    out[i] = sum;
  }
}

}  // namespace storycluster::kernel::avx2
