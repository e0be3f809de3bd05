// Internal: sets kept as ascending arrays of distinct values.
#ifndef STORYCLUSTER_LIB_COMMON_SORTED_SETS_H_
#define STORYCLUSTER_LIB_COMMON_SORTED_SETS_H_

#include <cstddef>

#include "absl/types/span.h"

namespace storycluster {

// How many values two ascending arrays of distinct values share.
template <typename T>
size_t CommonCount(absl::Span<const T> a, absl::Span<const T> b) {
  size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  return common;
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_SORTED_SETS_H_
