// Helpers shared by the tests: paths of the source tree and of ../shared,
// and reading files.
#ifndef STORYCLUSTER_TESTS_TEST_UTIL_H_
#define STORYCLUSTER_TESTS_TEST_UTIL_H_

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "storycluster/ingest.h"

namespace storycluster::testing {

inline std::string SourceDir() { return STORYCLUSTER_SOURCE_DIR; }
inline std::string SharedDir() { return STORYCLUSTER_SHARED_DIR; }

// True when ../shared (seeds, dev data) is present. Tests that need it call
// this and return early with a WARN message otherwise.
inline bool HaveShared(const std::string& sub) {
  return std::filesystem::exists(SharedDir() + "/" + sub);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh, empty temporary folder for one test.
inline std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("storycluster_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void WriteFile(const std::filesystem::path& path,
                      const std::string& contents) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << contents;
}

// Two random sets of 64-bit values with |A ∩ B| = shared and
// |A \ B| = |B \ A| = unique, so Jaccard = shared / (shared + 2 unique).
template <typename Rng>
std::pair<std::vector<uint64_t>, std::vector<uint64_t>> RandomSetPair(
    Rng& rng, int shared, int unique) {
  std::vector<uint64_t> a, b;
  for (int i = 0; i < shared; ++i) {
    const uint64_t v = rng();
    a.push_back(v);
    b.push_back(v);
  }
  for (int i = 0; i < unique; ++i) a.push_back(rng());
  for (int i = 0; i < unique; ++i) b.push_back(rng());
  return {a, b};
}

// Ingests an in-memory JSON Lines text named "in.jsonl".
inline IngestResult IngestJsonl(const std::string& text,
                                IngestOptions options = {}) {
  auto ingestor = Ingestor::Create(std::move(options));
  if (!ingestor.ok()) return {};
  (*ingestor)->AddJsonlBuffer(text, "in.jsonl");
  return std::move(**ingestor).Finish();
}

}  // namespace storycluster::testing

#endif  // STORYCLUSTER_TESTS_TEST_UTIL_H_
