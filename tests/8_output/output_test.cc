// Output: TSV layout, JSON structure, text tree and atomic file writes.
#include "storycluster/output.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace storycluster {
namespace {

// Three articles: 0 and 1 are copies (one event), 2 its own event; all one
// storyline.
std::pair<IngestResult, Clustering> Sample() {
  IngestResult ingest;
  for (const char* id : {"a", "b", "c"}) {
    Article article;
    article.id = id;
    article.title = std::string("Title ") + id;
    article.source = std::string("Outlet ") + id;
    ingest.articles.push_back(article);
  }
  ingest.articles[1].published =
      absl::FromCivil(absl::CivilDay(2021, 3, 14), absl::UTCTimeZone());
  ingest.rejections.push_back(
      {Origin{"in.jsonl", 4}, RejectReason::kMissingId, "no id field"});
  ingest.stats = {4, 3, 1, 0, 0, 100};
  Clustering c;
  c.assignments = {{0, 0, 0, false}, {0, 0, 0, true}, {1, 1, 0, true}};
  c.num_copy_groups = 2;
  c.num_events = 2;
  c.num_stories = 1;
  c.event_representative = {1, 2};
  return {ingest, c};
}

TEST_CASE("TSV: header, one line per article in input order") {
  auto [ingest, c] = Sample();
  CHECK(FormatClustering(ingest, c, OutputFormat::kTsv) ==
        "id\tdup\tevent\tstory\n"
        "a\td1\te1\ts1\n"
        "b\td1\te1\ts1\n"
        "c\td2\te2\ts1\n");
}

TEST_CASE("JSON: storylines, events, members, stats and rejections") {
  auto [ingest, c] = Sample();
  const auto j =
      nlohmann::json::parse(FormatClustering(ingest, c, OutputFormat::kJson));
  REQUIRE(j["storylines"].size() == 1);
  const auto& story = j["storylines"][0];
  CHECK(story["id"] == "s1");
  CHECK(story["articles"] == 3);
  REQUIRE(story["events"].size() == 2);
  const auto& e1 = story["events"][0];  // the dated event comes first
  CHECK(e1["id"] == "e1");
  CHECK(e1["title"] == "Title b");
  CHECK(e1["start"] == "2021-03-14T00:00:00Z");
  CHECK(e1["outlets"] == nlohmann::json({"Outlet a", "Outlet b"}));
  REQUIRE(e1["members"].size() == 2);
  CHECK(e1["members"][0]["id"] == "b");  // earliest first
  CHECK(e1["members"][0]["original"] == true);
  CHECK(e1["members"][1]["original"] == false);
  CHECK(e1["members"][1]["dup"] == "d1");
  CHECK(e1["members"][1]["published"].is_null());
  CHECK(j["stats"]["read"] == 4);
  CHECK(j["stats"]["events"] == 2);
  REQUIRE(j["rejected"].size() == 1);
  CHECK(j["rejected"][0]["reason"] == "missing id");
  CHECK(j["rejected"][0]["line"] == 4);
}

TEST_CASE("text: a readable tree with copies marked") {
  auto [ingest, c] = Sample();
  const std::string text = FormatClustering(ingest, c, OutputFormat::kText);
  CHECK_THAT(text, Catch::Contains("3 articles -> 2 copy groups, 2 events, "
                                   "1 storylines"));
  CHECK_THAT(text, Catch::Contains("a (Outlet a)  copy of d1"));
  CHECK_THAT(text, Catch::Contains("in.jsonl:4: missing id"));
}

TEST_CASE("formats parse by name") {
  CHECK(*ParseOutputFormat("tsv") == OutputFormat::kTsv);
  CHECK(*ParseOutputFormat("json") == OutputFormat::kJson);
  CHECK_FALSE(ParseOutputFormat("xml").ok());
  CHECK(ClusterId('e', 0) == "e1");
}

TEST_CASE("atomic write replaces the file and leaves no temporary") {
  auto dir = testing::TempDir("atomic");
  const auto path = (dir / "out.tsv").string();
  REQUIRE(WriteFileAtomically(path, "old\n").ok());
  REQUIRE(WriteFileAtomically(path, "new contents\n").ok());
  CHECK(testing::ReadFile(path) == "new contents\n");
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
  CHECK_FALSE(WriteFileAtomically((dir / "no/such/dir/x").string(), "x").ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace storycluster
