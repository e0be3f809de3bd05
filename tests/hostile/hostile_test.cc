// The hostile-input corpus (tests/data/hostile/MANIFEST.tsv) and generated
// extremes: each case is read without crashing, refused (or accepted) with
// its exact reason, and accepted + rejected == read.
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_split.h"
#include "storycluster/ingest.h"
#include "storycluster/output.h"
#include "test_util.h"

namespace storycluster {
namespace {

std::string HostileDir() {
  return testing::SourceDir() + "/tests/data/hostile";
}

struct ManifestRow {
  std::string file;
  int64_t read, rejected;
  std::string reason, detail;
};

std::vector<ManifestRow> Manifest() {
  std::ifstream in(HostileDir() + "/MANIFEST.tsv");
  std::vector<ManifestRow> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    REQUIRE(f.size() == 5);
    rows.push_back({f[0], std::stoll(f[1]), std::stoll(f[2]), f[3], f[4]});
  }
  return rows;
}

TEST_CASE("hostile corpus: every case gets its exact reason") {
  const auto rows = Manifest();
  REQUIRE(rows.size() >= 30);
  for (const ManifestRow& row : rows) {
    INFO(row.file);
    auto r = IngestPaths({HostileDir() + "/" + row.file});
    REQUIRE(r.ok());
    CHECK(r->stats.read == row.read);
    CHECK(r->stats.rejected == row.rejected);
    CHECK(r->stats.accepted + r->stats.rejected == r->stats.read);
    CHECK(static_cast<int64_t>(r->articles.size()) == r->stats.accepted);
    if (row.rejected > 0) {
      REQUIRE(!r->rejections.empty());
      CHECK(RejectReasonName(r->rejections[0].reason) == row.reason);
      CHECK_THAT(r->rejections[0].detail, Catch::Contains(row.detail));
      CHECK(r->rejections[0].origin.file.ends_with(row.file));
    }
  }
}

TEST_CASE("hostile corpus: the whole folder through the CLI, JSON accounted") {
  const std::string out = testing::TempDir("hostile_cli").string();
  const std::string cmd = std::string(STORYCLUSTER_CLI) + " cluster " +
                          HostileDir() + " -q -o " + out + "/out.json";
  const int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);  // some input rejected
  const auto j = nlohmann::json::parse(testing::ReadFile(out + "/out.json"));
  const auto& stats = j["stats"];
  CHECK(stats["accepted"].get<int64_t>() + stats["rejected"].get<int64_t>() ==
        stats["read"].get<int64_t>());
  CHECK(j["rejected"].size() == stats["rejected"].get<size_t>());
  int64_t expected_rejected = 0;
  for (const auto& row : Manifest()) expected_rejected += row.rejected;
  // Ids repeat across files (ok-before, ok-after): later ones are refused
  // as duplicates, so the folder refuses at least the manifest's count.
  CHECK(stats["rejected"].get<int64_t>() >= expected_rejected);
  std::filesystem::remove_all(out);
}

TEST_CASE("hostile: a 50 MB single article is refused, the next is read") {
  std::string input = "{\"id\":\"huge\",\"text\":\"";
  input.append(size_t{50} << 20, 'w');
  input += "\"}\n{\"id\":\"small\",\"text\":\"fine\"}\n";
  const IngestResult r = testing::IngestJsonl(input);
  REQUIRE(r.rejections.size() == 1);
  CHECK(r.rejections[0].reason == RejectReason::kOversized);
  CHECK(r.rejections[0].detail == "line longer than 8388608 bytes");
  REQUIRE(r.articles.size() == 1);
  CHECK(r.articles[0].id == "small");
  CHECK(r.stats.read == 2);
}

TEST_CASE("hostile: 200,000 lines with 10% bad lines scattered") {
  std::string input;
  int64_t bad = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::string id = "r" + std::to_string(i);
    switch ((i * 7919) % 10) {  // scattered, not periodic by line number
      case 0:
        input += "{\"id\":\"" + id + "\",\"text\":\"broken\n";
        ++bad;
        break;
      default:
        input += "{\"id\":\"" + id + "\",\"text\":\"line " + id + "\"}\n";
    }
  }
  const IngestResult r = testing::IngestJsonl(input);
  CHECK(r.stats.read == 200000);
  CHECK(r.stats.rejected == bad);
  CHECK(bad == 20000);
  CHECK(r.stats.accepted == 200000 - bad);
  for (const Rejection& rej : r.rejections) {
    REQUIRE(rej.reason == RejectReason::kInvalidJson);
  }
}

TEST_CASE("hostile: total text limit refuses later articles, not silently") {
  IngestOptions options;
  options.max_total_bytes = 30;
  const IngestResult r = testing::IngestJsonl(
      "{\"id\":\"a\",\"text\":\"twenty bytes of text\"}\n"
      "{\"id\":\"b\",\"text\":\"twenty more bytes ok\"}\n",
      options);
  REQUIRE(r.articles.size() == 1);
  REQUIRE(r.rejections.size() == 1);
  CHECK(r.rejections[0].reason == RejectReason::kOversized);
  CHECK_THAT(r.rejections[0].detail, Catch::Contains("total text limit"));
}

TEST_CASE("hostile: unreadable entries, loops and special files in a folder") {
  auto dir = testing::TempDir("hostile_dir");
  testing::WriteFile(dir / "good.txt", "Good headline\nGood body.\n");
  std::filesystem::create_directory_symlink(dir, dir / "loop");
  std::filesystem::create_symlink(dir / "gone.txt", dir / "dangling.txt");
  std::filesystem::create_directories(dir / "folder.txt");  // a dir named .txt
  REQUIRE(::mkfifo((dir / "pipe.jsonl").c_str(), 0600) == 0);
  auto r = IngestPaths({dir.string()});
  REQUIRE(r.ok());
  CHECK(r->articles.size() == 1);
  std::map<std::string, RejectReason> reasons;
  for (const auto& rej : r->rejections) {
    reasons[std::filesystem::path(rej.origin.file).filename()] = rej.reason;
  }
  CHECK(reasons.at("dangling.txt") == RejectReason::kUnreadable);
  CHECK(reasons.at("pipe.jsonl") == RejectReason::kUnreadable);
  CHECK(r->stats.accepted + r->stats.rejected == r->stats.read);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace storycluster
