#include "lib/common/key_sort.h"

#include <hwy/contrib/sort/vqsort.h>

#include <algorithm>

namespace storycluster {

namespace {

// A Sorter owns a small buffer: one per thread, made on first use.
const hwy::Sorter& ThreadSorter() {
  thread_local const hwy::Sorter sorter;
  return sorter;
}

}  // namespace

void SortKeys(uint64_t* keys, size_t n) {
  if (n < kVectorSortFrom) {
    std::sort(keys, keys + n);
    return;
  }
  ThreadSorter()(keys, n, hwy::SortAscending());
}

void SortKeyed(KeyedItem* items, size_t n) {
  if (n < kVectorSortFrom) {
    std::sort(items, items + n, [](const KeyedItem& a, const KeyedItem& b) {
      return a.key < b.key;
    });
    return;
  }
  ThreadSorter()(items, n, hwy::SortAscending());
}

}  // namespace storycluster
