// Key sorts: the vectorized sort gives std::sort's order at every size,
// on both sides of the size where it takes over.
#include "lib/common/key_sort.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <utility>
#include <vector>

namespace storycluster {
namespace {

// Inputs of `n` keys: even, skewed (few distinct values), term-row keys
// (a small index above a weight's bits), sorted and reversed.
std::vector<std::vector<uint64_t>> Inputs(size_t n, std::mt19937_64& rng) {
  std::vector<uint64_t> even(n), skewed(n), rows(n);
  for (uint64_t& v : even) v = rng();
  for (uint64_t& v : skewed) v = rng() % 5;
  for (uint64_t& v : rows) v = (rng() % 40000) << 32 | (rng() & 0x3fc00000);
  std::vector<uint64_t> sorted = even;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint64_t> reversed(sorted.rbegin(), sorted.rend());
  return {even, skewed, rows, sorted, reversed};
}

const size_t kSizes[] = {0,
                         1,
                         2,
                         kVectorSortFrom - 1,
                         kVectorSortFrom,
                         kVectorSortFrom + 1,
                         76,
                         257,
                         4096,
                         100000};

TEST_CASE("SortKeys: the order of std::sort") {
  std::mt19937_64 rng(5);
  for (size_t n : kSizes) {
    for (std::vector<uint64_t> keys : Inputs(n, rng)) {
      std::vector<uint64_t> expected = keys;
      std::sort(expected.begin(), expected.end());
      SortKeys(keys.data(), keys.size());
      CHECK(keys == expected);
    }
  }
}

TEST_CASE("SortKeyed: keys in order, each value kept with its key") {
  std::mt19937_64 rng(6);
  for (size_t n : kSizes) {
    for (const std::vector<uint64_t>& keys : Inputs(n, rng)) {
      std::vector<KeyedItem> items(n);
      std::vector<std::pair<uint64_t, uint64_t>> expected(n);
      for (size_t i = 0; i < n; ++i) {
        items[i].key = keys[i];
        items[i].value = i;
        expected[i] = {keys[i], i};
      }
      SortKeyed(items.data(), items.size());
      std::vector<std::pair<uint64_t, uint64_t>> got(n);
      for (size_t i = 0; i < n; ++i) got[i] = {items[i].key, items[i].value};
      CHECK(std::is_sorted(
          got.begin(), got.end(),
          [](const auto& a, const auto& b) { return a.first < b.first; }));
      // Ties may come in any order: compared as multisets.
      std::sort(got.begin(), got.end());
      std::sort(expected.begin(), expected.end());
      CHECK(got == expected);
    }
  }
}

}  // namespace
}  // namespace storycluster
