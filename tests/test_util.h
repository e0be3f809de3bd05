// Helpers shared by the tests: paths of the source tree and of ../shared,
// and reading files.
#ifndef STORYCLUSTER_TESTS_TEST_UTIL_H_
#define STORYCLUSTER_TESTS_TEST_UTIL_H_

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "storycluster/article.h"
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

// A labeled corpus of `events` events, `per_event` reports each: a report
// draws its words from its event's own vocabulary, its topic's (shared by
// two events) and one all events share, in its own order (so reports are
// not copies of each other). Reports of one event are a day or two apart.
inline void WriteLabeledCorpus(const std::filesystem::path& jsonl,
                               const std::filesystem::path& labels,
                               uint64_t seed, int events, int per_event) {
  std::mt19937_64 rng(seed);
  auto word = [](const char* kind, int a, int b) {
    return absl::StrCat(kind, std::string(1, static_cast<char>('a' + a % 26)),
                        std::string(1, static_cast<char>('a' + b % 26)), "x",
                        a / 26, b);
  };
  std::string out, gold = "id\tevent\tstory\n";
  for (int e = 0; e < events; ++e) {
    for (int r = 0; r < per_event; ++r) {
      std::string title, text;
      for (int w = 0; w < 6; ++w) {
        absl::StrAppend(&title, w ? " " : "", word("t", e, rng() % 12));
      }
      for (int w = 0; w < 80; ++w) {
        // Its event's words, its topic's (two events a topic), or words
        // of every topic.
        const uint64_t kind = rng() % 3;
        absl::StrAppend(&text, w ? " " : "",
                        kind == 0   ? word("t", e, rng() % 40)
                        : kind == 1 ? word("p", e / 2, rng() % 30)
                                    : word("c", 0, rng() % 300));
        if (w % 12 == 11) text += ".";
      }
      const std::string id = absl::StrCat("s", seed, "-e", e, "-r", r);
      absl::StrAppend(&out, "{\"id\": \"", id, "\", \"title\": \"", title,
                      "\", \"text\": \"", text, ".\", \"published\": \"2024-0",
                      1 + e % 9, "-1", r % 3, "T08:00:00Z\"}\n");
      absl::StrAppend(&gold, id, "\te", e, "\ts", e, "\n");
    }
  }
  testing::WriteFile(jsonl, out);
  testing::WriteFile(labels, gold);
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

// An article with these fields (the rest empty).
inline Article MakeArticle(std::string id, std::string title, std::string text,
                           std::optional<absl::Time> published = std::nullopt) {
  Article a;
  a.id = std::move(id);
  a.title = std::move(title);
  a.text = std::move(text);
  a.published = published;
  return a;
}

}  // namespace storycluster::testing

#endif  // STORYCLUSTER_TESTS_TEST_UTIL_H_
