// Internal: sorting arrays of 64-bit keys, vectorized.
#ifndef STORYCLUSTER_LIB_COMMON_KEY_SORT_H_
#define STORYCLUSTER_LIB_COMMON_KEY_SORT_H_

#include <cstddef>
#include <cstdint>

#include "hwy/base.h"

namespace storycluster {

// Below this many keys SortKeys uses std::sort: the vectorized sort's
// fixed cost is larger than the whole sort of a short array.
inline constexpr size_t kVectorSortFrom = 32;

// Sorts keys[0, n) ascending. Keys are plain integers, so the result is
// the same whatever the algorithm; from kVectorSortFrom keys it is
// Highway's vectorized quicksort (VQSort, dispatched to the CPU's widest
// instruction set). On arrays of term-row keys (a term index above a
// weight), whose comparisons std::sort mispredicts, it sorts 1.6x as many
// keys a second as std::sort at 40 keys, 3.2x at 76 and 5.6x at 450
// (kernel_bench sort_keys/*, AVX-512; docs/performance-log.md, part 21).
void SortKeys(uint64_t* keys, size_t n);

// A 64-bit key with a 64-bit value carried along (Highway's type).
using KeyedItem = hwy::K64V64;

// Sorts items[0, n) by key, ascending; the order of items whose keys tie
// is unspecified (callers that need one sort those runs themselves).
void SortKeyed(KeyedItem* items, size_t n);

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_KEY_SORT_H_
