// Internal: sets kept as ascending arrays of distinct values.
#ifndef STORYCLUSTER_LIB_COMMON_SORTED_SETS_H_
#define STORYCLUSTER_LIB_COMMON_SORTED_SETS_H_

#include <cstddef>

#include "absl/types/span.h"

namespace storycluster {

// Calls visit(v) for each value two ascending arrays of distinct values
// share, in order.
template <typename T, typename Visit>
void ForEachCommon(absl::Span<const T> a, absl::Span<const T> b,
                   Visit&& visit) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      visit(a[i]);
      ++i;
      ++j;
    }
  }
}

// How many values two ascending arrays of distinct values share.
template <typename T>
size_t CommonCount(absl::Span<const T> a, absl::Span<const T> b) {
  size_t common = 0;
  ForEachCommon(a, b, [&](const T&) { ++common; });
  return common;
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_SORTED_SETS_H_
