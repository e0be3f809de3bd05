// Internal: sorting 64-bit hash values. Hashes are spread evenly over their
// range, so one counting pass over their top bits puts them into buckets
// of one or two values each, which are then put in order inside their
// buckets (a bucket that happens to be large, e.g. from repeated values,
// by std::sort: n log n, never more).
#ifndef STORYCLUSTER_LIB_COMMON_HASH_SORT_H_
#define STORYCLUSTER_LIB_COMMON_HASH_SORT_H_

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "lib/common/reused_buffers.h"

namespace storycluster {

// Buckets larger than this are sorted by std::sort before the insertion
// sort.
inline constexpr uint32_t kLargeBucket = 16;

// Sorts `values` ascending.
inline void SortHashes(std::vector<uint64_t>& values) {
  const size_t n = values.size();
  if (n < 64) {
    std::sort(values.begin(), values.end());
    return;
  }
  // n to 2n buckets (bit_width(n) bits, at most 16). (2n to 4n buckets,
  // fewer moves in the insertion sort, were no faster: the longer prefix
  // sum took what the sort saved.)
  const int bits = std::min(16, static_cast<int>(std::bit_width(n)));
  const int shift = 64 - bits;
  // Per thread, reused: bucket bounds and the scattered values.
  thread_local std::vector<uint32_t> end;
  thread_local std::vector<uint64_t> scratch;
  // end[b]: after counting and summing, where bucket b starts; after the
  // scatter below, where it ends.
  end.assign((size_t{1} << bits) + 1, 0);
  bool large = false;  // some bucket holds more than kLargeBucket values
  for (uint64_t v : values) {
    large |= ++end[(v >> shift) + 1] > kLargeBucket;
  }
  for (size_t b = 1; b < end.size(); ++b) end[b] += end[b - 1];
  if (scratch.size() < n) scratch.resize(n);
  for (uint64_t v : values) scratch[end[v >> shift]++] = v;
  // Values never leave their bucket, so one insertion sort over the whole
  // array does only the moves inside buckets; the rare large bucket is
  // sorted first so that this stays linear.
  if (large) {
    uint32_t begin = 0;
    for (size_t b = 0; b + 1 < end.size(); ++b) {
      if (end[b] - begin > kLargeBucket) {
        std::sort(scratch.begin() + begin, scratch.begin() + end[b]);
      }
      begin = end[b];
    }
  }
  for (size_t i = 1; i < n; ++i) {
    const uint64_t v = scratch[i];
    size_t j = i;
    for (; j > 0 && scratch[j - 1] > v; --j) scratch[j] = scratch[j - 1];
    scratch[j] = v;
  }
  std::copy(scratch.begin(), scratch.begin() + static_cast<ptrdiff_t>(n),
            values.begin());
  if (scratch.capacity() * sizeof(uint64_t) > kMaxReusedBufferBytes) {
    std::vector<uint64_t>().swap(scratch);  // a very long article's
  }
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_HASH_SORT_H_
