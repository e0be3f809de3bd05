// Internal: software prefetch of a whole array, for loops that read rows
// scattered over a large matrix one after another.
#ifndef STORYCLUSTER_LIB_COMMON_PREFETCH_H_
#define STORYCLUSTER_LIB_COMMON_PREFETCH_H_

#include <cstddef>
#include <cstdint>

namespace storycluster {

// Asks for every cache line of `values[0, n)` ahead of use.
template <typename T>
inline void PrefetchLines(const T* values, size_t n) {
  constexpr uintptr_t kLine = 64;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(values) & ~(kLine - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(values + n);
  for (uintptr_t at = begin; at < end; at += kLine) {
    __builtin_prefetch(reinterpret_cast<const void*>(at));
  }
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_PREFETCH_H_
