// Internal: eight ASCII bytes at a time in one uint64_t (SWAR). Text byte
// i is byte i of the word, counted from the low end, on little-endian
// machines only (kLittleEndian); callers keep a byte-at-a-time path for
// the others.
#ifndef STORYCLUSTER_LIB_COMMON_SWAR_H_
#define STORYCLUSTER_LIB_COMMON_SWAR_H_

#include <bit>
#include <cstdint>

namespace storycluster::swar {

inline constexpr bool kLittleEndian =
    std::endian::native == std::endian::little;
inline constexpr uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// x with its bytes 'A'..'Z' lower-cased. A byte below 0x80 makes no sum
// carry, so it is exact for ASCII bytes; a byte of 0x80 or more may carry
// into the bytes after it (higher in the word), never into those before.
inline uint64_t LowerAscii(uint64_t x) {
  const uint64_t at_least_a = (x + (0x80 - 'A') * kOnes) & kHighBits;
  const uint64_t above_z = (x + (0x80 - 'Z' - 1) * kOnes) & kHighBits;
  return x | (at_least_a & ~above_z) >> 2;  // 0x80 >> 2 == 0x20
}

// The high bit of each byte of x (all below 0x80) that equals c: x ^ c is
// 0 there, and adding 0x7f sets the high bit of every other byte without
// a carry.
inline uint64_t EqualBytes(uint64_t x, char c) {
  return ~((x ^ (static_cast<uint8_t>(c) * kOnes)) + 0x7f * kOnes) & kHighBits;
}

// How many bytes of `flags` (only high bits set) are flagged, summed by a
// multiply: std::popcount is a library call on the baseline x86-64 target.
inline int CountFlags(uint64_t flags) {
  return static_cast<int>(((flags >> 7) * kOnes) >> 56);
}

}  // namespace storycluster::swar

#endif  // STORYCLUSTER_LIB_COMMON_SWAR_H_
