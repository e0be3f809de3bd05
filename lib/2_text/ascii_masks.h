// Internal: the word-break classes of 64 ASCII bytes as bit masks (bit i
// for byte i), so that the tokenizer's ASCII path finds word segments with
// bit operations instead of one branch per byte. ClassifyBytes uses SSE2
// where the target has it; ClassifyBytesScalar is the portable form and
// the reference it is tested against.
#ifndef STORYCLUSTER_LIB_2_TEXT_ASCII_MASKS_H_
#define STORYCLUSTER_LIB_2_TEXT_ASCII_MASKS_H_

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace storycluster {

// The ASCII classes of UAX #29 word breaking as ICU implements them:
// letters (and '@', which is ALetter), digits, '_' (ExtendNumLet), '.' and
// the apostrophe (MidNumLetQ: join letter-letter and digit-digit), ',' and
// ';' (MidNum: join digit-digit only); ICU does not treat ':' as
// MidLetter. Every other byte, including those of 0x80 and above, is in
// none of them.
struct ByteClassMasks {
  uint64_t letter = 0;
  uint64_t digit = 0;
  uint64_t underscore = 0;
  uint64_t mid_letter = 0;  // '.' and '\''
  uint64_t mid_number = 0;  // ',' and ';'
};

// Byte by byte: the reference.
inline ByteClassMasks ClassifyBytesScalar(const char* bytes) {
  ByteClassMasks m;
  for (int i = 0; i < 64; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    const uint64_t bit = uint64_t{1} << i;
    const unsigned lower = c | 0x20u;
    if ((lower >= 'a' && lower <= 'z') || c == '@') {
      m.letter |= bit;
    } else if (c >= '0' && c <= '9') {
      m.digit |= bit;
    } else if (c == '_') {
      m.underscore |= bit;
    } else if (c == '.' || c == '\'') {
      m.mid_letter |= bit;
    } else if (c == ',' || c == ';') {
      m.mid_number |= bit;
    }
  }
  return m;
}

#if defined(__SSE2__)
// Sixteen bytes at a time. Bytes compare as signed, so those of 0x80 and
// above (negative) fall below every range.
inline ByteClassMasks ClassifyBytesSse2(const char* bytes) {
  ByteClassMasks m;
  const __m128i lower_bit = _mm_set1_epi8(0x20);
  for (int part = 0; part < 4; ++part) {
    const __m128i v =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + 16 * part));
    const __m128i lower = _mm_or_si128(v, lower_bit);
    const __m128i letter = _mm_or_si128(
        _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                      _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1))),
        _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
    const __m128i digit =
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                      _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    const __m128i underscore = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
    const __m128i mid_letter =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\'')));
    const __m128i mid_number =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8(';')));
    const int shift = 16 * part;
    auto bits = [shift](__m128i x) {
      return static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(x)))
             << shift;
    };
    m.letter |= bits(letter);
    m.digit |= bits(digit);
    m.underscore |= bits(underscore);
    m.mid_letter |= bits(mid_letter);
    m.mid_number |= bits(mid_number);
  }
  return m;
}
#endif

// The classes of bytes[0, 64).
inline ByteClassMasks ClassifyBytes(const char* bytes) {
#if defined(__SSE2__)
  return ClassifyBytesSse2(bytes);
#else
  return ClassifyBytesScalar(bytes);
#endif
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_2_TEXT_ASCII_MASKS_H_
