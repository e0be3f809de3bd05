// Corpus storage: the shingle store in memory and in a temporary file
// (written in chunks on another thread while appending goes on).
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "storycluster/features.h"

namespace storycluster {
namespace {

// Sets of varied sizes, some empty, 12 MB in all: more than one write
// chunk, so appends overlap a write in progress.
std::vector<std::vector<uint64_t>> Sets() {
  std::mt19937_64 rng(3);
  std::vector<std::vector<uint64_t>> sets;
  size_t total = 0;
  while (total < (size_t{3} << 19)) {
    std::vector<uint64_t> set(rng() % 1200);
    for (uint64_t& v : set) v = rng();
    total += set.size();
    sets.push_back(std::move(set));
  }
  return sets;
}

TEST_CASE("shingle store: what goes in comes back, in memory and in a file") {
  const auto sets = Sets();
  size_t bytes = 0;
  for (const auto& set : sets) bytes += set.size() * sizeof(uint64_t);
  const std::string dir = std::filesystem::temp_directory_path().string();
  auto file = ShingleStore::InTemporaryFile(dir);
  REQUIRE(file.ok());
  REQUIRE((*file)->in_file());
  // In memory up to a third of the sets' bytes, then in the file.
  auto spilling = ShingleStore::InTemporaryFile(dir, bytes / 3);
  REQUIRE(spilling.ok());
  CHECK_FALSE((*spilling)->in_file());
  // A budget the sets fit in: no file is written.
  auto roomy = ShingleStore::InTemporaryFile(dir, bytes);
  REQUIRE(roomy.ok());
  // A budget larger than the machine: not reserved, still a store.
  auto huge = ShingleStore::InTemporaryFile(dir, SIZE_MAX);
  REQUIRE(huge.ok());
  REQUIRE((*huge)->Append(sets.front()).ok());
  REQUIRE((*huge)->Flush().ok());
  std::vector<uint64_t> first;
  auto got = (*huge)->Get(0, &first);
  REQUIRE(got.ok());
  CHECK(std::vector<uint64_t>(got->begin(), got->end()) == sets.front());
  ShingleStore memory;
  CHECK_FALSE(memory.in_file());
  for (ShingleStore* store :
       {&memory, file->get(), spilling->get(), roomy->get()}) {
    for (size_t d = 0; d < sets.size(); ++d) {
      REQUIRE(store->Append(sets[d]).ok());
      if (store == spilling->get() && d == sets.size() / 4) {
        CHECK_FALSE(store->in_file());  // about a quarter of the bytes
      }
    }
    CHECK(store->in_file() ==
          (store == file->get() || store == spilling->get()));
    if (store->in_file()) {
      // The last sets are still buffered: reading them needs Flush.
      std::vector<uint64_t> buffer;
      CHECK(store->Get(sets.size() - 1, &buffer).status().code() ==
            absl::StatusCode::kFailedPrecondition);
    }
    REQUIRE(store->Flush().ok());
    REQUIRE(store->size() == sets.size());
    std::vector<uint64_t> buffer;
    for (size_t d = 0; d < sets.size(); ++d) {
      INFO("set " << d << (store->in_file() ? " (file)" : " (memory)"));
      CHECK(store->count(d) == sets[d].size());
      auto got = store->Get(d, &buffer);
      REQUIRE(got.ok());
      CHECK(std::vector<uint64_t>(got->begin(), got->end()) == sets[d]);
    }
    // Ranges: the sets one after another, in one read; an empty range.
    for (size_t first = 0; first < sets.size(); first += 7) {
      const size_t last = std::min(sets.size(), first + 1 + first % 5);
      INFO("sets " << first << " to " << last
                   << (store->in_file() ? " (file)" : " (memory)"));
      std::vector<uint64_t> expected;
      for (size_t d = first; d < last; ++d) {
        expected.insert(expected.end(), sets[d].begin(), sets[d].end());
      }
      auto range = store->GetRange(first, last, &buffer);
      REQUIRE(range.ok());
      CHECK(std::vector<uint64_t>(range->begin(), range->end()) == expected);
      auto none = store->GetRange(first, first, &buffer);
      REQUIRE(none.ok());
      CHECK(none->empty());
    }
  }
}

TEST_CASE("shingle store: a missing directory is an error naming it") {
  auto store = ShingleStore::InTemporaryFile("/nonexistent/storycluster");
  REQUIRE_FALSE(store.ok());
  CHECK(std::string(store.status().message()).find("/nonexistent") !=
        std::string::npos);
}

}  // namespace
}  // namespace storycluster
