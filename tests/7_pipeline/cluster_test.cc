// Clustering: copies with an original, events, storylines, chaining
// resistance and determinism.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "absl/time/time.h"
#include "storycluster/ingest.h"
#include "storycluster/output.h"
#include "storycluster/pipeline.h"
#include "storycluster/synthetic.h"
#include "test_util.h"

namespace storycluster {
namespace {

using testing::MakeArticle;

absl::Time Day(int d) {
  return absl::FromCivil(absl::CivilDay(2024, 5, d), absl::UTCTimeZone());
}

const char* kQuake =
    "A magnitude 6.1 earthquake struck the coast of northern Chile early on "
    "Tuesday, shaking buildings in the port city of Iquique and cutting "
    "power to thousands of homes, the national seismology office said. No "
    "deaths were reported, and the navy said there was no tsunami threat.";
const char* kElection =
    "Voters in Portugal cast ballots on Sunday in a snap parliamentary "
    "election called after the prime minister resigned over an influence "
    "peddling investigation, with polls showing the centre-right alliance "
    "narrowly ahead of the Socialists.";

// Runs the default pipeline on `path`; assignments keyed by article id.
std::map<std::string, Assignment> ClusterById(const std::string& path) {
  auto ingest = IngestPaths({path});
  REQUIRE(ingest.ok());
  auto c = RunPipeline(ingest->articles);
  REQUIRE(c.ok());
  std::map<std::string, Assignment> by_id;
  for (size_t i = 0; i < ingest->articles.size(); ++i) {
    by_id[ingest->articles[i].id] = c->assignments[i];
  }
  return by_id;
}

TEST_CASE("wire copies form one group whose earliest member is the original") {
  std::vector<Article> articles = {
      MakeArticle("copy", "Chile quake shakes Iquique",
                  std::string("SANTIAGO (Reuters) - ") + kQuake,
                  Day(3) + absl::Hours(2)),
      MakeArticle("orig", "Strong quake hits northern Chile", kQuake, Day(3)),
      MakeArticle("other", "Portugal votes", kElection, Day(3)),
  };
  auto c = RunPipeline(articles);
  REQUIRE(c.ok());
  CHECK(c->assignments[0].copy_group == c->assignments[1].copy_group);
  CHECK(c->assignments[0].copy_group != c->assignments[2].copy_group);
  CHECK(c->assignments[1].original);
  CHECK_FALSE(c->assignments[0].original);
  CHECK(c->assignments[0].event == c->assignments[1].event);
  CHECK(c->assignments[0].event != c->assignments[2].event);
  CHECK(c->num_copy_groups == 2);
}

TEST_CASE("a chain of partial copies does not merge its ends") {
  // A shares half its sentences with B, B half with C; A and C share none.
  const std::string s1 = "alpha bravo charlie delta echo foxtrot golf hotel. ";
  const std::string s2 = "india juliet kilo lima mike november oscar papa. ";
  const std::string s3 = "quebec romeo sierra tango uniform victor whiskey. ";
  const std::string s4 = "xray yankee zulu amber basalt cobalt dune ember. ";
  std::vector<Article> articles = {MakeArticle("A", "", s1 + s2),
                                   MakeArticle("B", "", s2 + s3),
                                   MakeArticle("C", "", s3 + s4)};
  PipelineOptions pipeline;
  pipeline.cluster.copies.threshold = 0.3;
  pipeline.cluster.copies.candidate_margin = 0.25;
  auto c = RunPipeline(articles, pipeline);
  REQUIRE(c.ok());
  CHECK(c->assignments[0].copy_group != c->assignments[2].copy_group);
}

TEST_CASE("articles far apart in time do not share an event") {
  std::vector<Article> articles = {
      MakeArticle("a", "Quake in Chile", kQuake, Day(1)),
      MakeArticle("b", "Quake in Chile again",
                  std::string(kQuake) + " Aftershocks.",
                  Day(1) + absl::Hours(24 * 30)),
  };
  auto c = RunPipeline(articles);
  REQUIRE(c.ok());
  // They are near-copies, so they share a copy group (and so an event);
  // rewrite one to test the window on events alone.
  articles[1].text =
      "Residents of Iquique in northern Chile again felt a "
      "strong earthquake, the seismology office said, with "
      "power cut to homes and buildings shaking near the port.";
  c = RunPipeline(articles);
  REQUIRE(c.ok());
  CHECK(c->assignments[0].event != c->assignments[1].event);
}

TEST_CASE("example corpus: the strike storyline, its events and wire copies") {
  const auto by_id = ClusterById(testing::SourceDir() + "/examples/data");
  auto at = [&](const std::string& id) {
    INFO(id);
    REQUIRE(by_id.count(id) == 1);
    return by_id.at(id);
  };
  // Wire copies: one copy group under the Northwire original.
  const Assignment wire = at("northwire-0303-strike");
  CHECK(wire.original);
  for (const char* copy :
       {"coastal-herald-0303", "valley-post-0303", "metro-daily-0303"}) {
    CHECK(at(copy).copy_group == wire.copy_group);
    CHECK_FALSE(at(copy).original);
  }
  CHECK(at("skyline-0317-talks").copy_group ==
        at("northwire-0317-talks").copy_group);
  // Events: the walkout, the collapsed talks, the deal.
  CHECK(at("freight-weekly-0303").event == wire.event);
  CHECK(at("freight-weekly-0303").copy_group != wire.copy_group);
  const uint32_t talks = at("northwire-0317-talks").event;
  CHECK(at("coastal-herald-0318").event == talks);
  const uint32_t deal = at("outlets/harbour-times/2025-04-02-deal.md").event;
  CHECK(at("freight-weekly-0402").event == deal);
  CHECK(at("outlets/metro-daily/strike-deal.txt").event == deal);
  CHECK(wire.event != talks);
  CHECK(talks != deal);
  CHECK(wire.event != deal);
  // One storyline holds all three; the wildfire and the comet are others.
  CHECK(at("northwire-0317-talks").story == wire.story);
  CHECK(at("freight-weekly-0402").story == wire.story);
  CHECK(at("skyline-0710-fire").story != wire.story);
  CHECK(at("science-desk-comet").story != wire.story);
  CHECK(at("skyline-0710-fire").story != at("science-desk-comet").story);
  CHECK(at("skyline-0714-fire-contained").story ==
        at("skyline-0710-fire").story);
}

TEST_CASE(
    "seeds: Reuters, Breitbart and CNN one event; all five one storyline") {
  if (!testing::HaveShared("seeds")) {
    WARN("../shared/seeds not present: seed clustering test skipped");
    return;
  }
  const auto by_id = ClusterById(testing::SharedDir() + "/seeds");
  CHECK(by_id.size() == 5);
  const Assignment reuters = by_id.at("reuters.txt");
  CHECK(by_id.at("breitbart.txt").event == reuters.event);
  CHECK(by_id.at("cnn.md").event == reuters.event);
  const uint32_t benzinga = by_id.at("benzinga.txt").event;
  const uint32_t scmp = by_id.at("scmp.txt").event;
  CHECK(benzinga != reuters.event);
  CHECK(scmp != reuters.event);
  CHECK(benzinga != scmp);
  std::set<uint32_t> events, stories;
  for (const auto& [id, a] : by_id) {
    events.insert(a.event);
    stories.insert(a.story);
  }
  CHECK(events.size() == 3);
  CHECK(stories.size() == 1);
}

TEST_CASE("invalid options and mismatched inputs are errors") {
  std::vector<Article> articles = {MakeArticle("a", "t", "x")};
  PipelineOptions options;
  options.cluster.events.similarity = 0;
  CHECK_FALSE(RunPipeline(articles, options).ok());
  for (auto [count, floor] : {std::pair{-1, 0.5}, std::pair{1001, 0.5},
                              std::pair{10, -0.1}, std::pair{10, 1.5}}) {
    PipelineOptions bad;
    bad.cluster.events.shared_neighbours = count;
    bad.cluster.events.shared_neighbour_floor = floor;
    const auto result = RunPipeline(articles, bad);
    CHECK(absl::IsInvalidArgument(result.status()));
  }
  CHECK_FALSE(ClusterArticles(articles, {}, ClusterOptions{}).ok());
  auto empty = RunPipeline({});
  REQUIRE(empty.ok());
  CHECK(empty->assignments.empty());
}

TEST_CASE("streamed runs over files equal the in-memory pipeline") {
  // A generated corpus with copies, split over two files, plus the example
  // corpus directory; shingles in a temporary file and in memory.
  auto dir = testing::TempDir("cluster_streamed");
  SyntheticOptions synthetic;
  synthetic.articles = 1500;
  synthetic.seed = 5;
  const std::string jsonl = CorpusJsonl(GenerateCorpus(synthetic));
  const size_t half = jsonl.find('\n', jsonl.size() / 2) + 1;
  testing::WriteFile(dir / "a.jsonl", jsonl.substr(0, half));
  testing::WriteFile(dir / "b.jsonl", jsonl.substr(half));
  const std::vector<std::vector<std::string>> inputs = {
      {(dir / "a.jsonl").string(), (dir / "b.jsonl").string()},
      {testing::SourceDir() + "/examples/data"}};
  for (const auto& paths : inputs) {
    auto ingest = IngestPaths(paths);
    REQUIRE(ingest.ok());
    REQUIRE(ingest->articles.size() > 10);
    auto expected = RunPipeline(ingest->articles);
    REQUIRE(expected.ok());
    std::vector<std::optional<absl::Time>> times;
    for (const Article& a : ingest->articles) times.push_back(a.published);
    FeatureOptions shingles_only;
    shingles_only.terms = false;
    auto features = ExtractFeatures(ingest->articles, shingles_only);
    REQUIRE(features.ok());
    CorpusFeatures corpus;
    for (const ArticleFeatures& f : *features) REQUIRE(corpus.Append(f).ok());
    auto expected_groups = FindCopyGroups(corpus, times);
    REQUIRE(expected_groups.ok());
    // Shingle sets in the file (budget 0), in memory below the budget, and
    // in memory without a directory.
    const std::pair<std::string, size_t> stores[] = {
        {(dir / "").string(), 0},
        {(dir / "").string(), PipelineOptions().shingle_memory_bytes},
        {std::string(), 0}};
    for (const auto& [temp, budget] : stores) {
      INFO(paths.front() << " temp '" << temp << "' budget " << budget);
      PipelineOptions options;
      options.temp_directory = temp;
      options.shingle_memory_bytes = budget;
      options.threads = 2;
      auto streamed = ClusterPaths(paths, {}, options);
      REQUIRE(streamed.ok());
      CHECK(streamed->ingest.articles.size() == ingest->articles.size());
      CHECK(streamed->ingest.articles.back().text.empty());  // not kept
      CHECK(FormatClustering(streamed->ingest, streamed->clustering,
                             OutputFormat::kTsv) ==
            FormatClustering(*ingest, *expected, OutputFormat::kTsv));
      auto copies = FindCopyGroupsInPaths(paths, {}, options);
      REQUIRE(copies.ok());
      CHECK(copies->groups.group == expected_groups->group);
      CHECK(copies->groups.original_of == expected_groups->original_of);
      CHECK(copies->groups.stats.candidates ==
            expected_groups->stats.candidates);
      CHECK(copies->groups.stats.verified == expected_groups->stats.verified);
      REQUIRE(copies->stages.size() == 3);
      CHECK(copies->stages.back().stage == "copies");
      // Each stage's CPU time is measured: non-negative, and all of them
      // together no more than the process has used so far.
      double stage_cpu = 0;
      for (const StageTime& stage : copies->stages) {
        CHECK(stage.cpu_seconds >= 0);
        stage_cpu += stage.cpu_seconds;
      }
      CHECK(stage_cpu <= ProcessCpuSeconds());
    }
  }
  // Standard input cannot be read twice.
  CHECK(absl::IsInvalidArgument(ClusterPaths({"-"}, {}).status()));
  CHECK(absl::IsInvalidArgument(FindCopyGroupsInPaths({"-"}, {}).status()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("same input and options give byte-identical TSV") {
  if (!testing::HaveShared("data/dev/basil.jsonl")) {
    WARN("../shared/data/dev not present: determinism on basil skipped");
    return;
  }
  auto ingest = IngestPaths({testing::SharedDir() + "/data/dev/basil.jsonl"});
  REQUIRE(ingest.ok());
  auto a = RunPipeline(ingest->articles);
  auto b = RunPipeline(ingest->articles);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(FormatClustering(*ingest, *a, OutputFormat::kTsv) ==
        FormatClustering(*ingest, *b, OutputFormat::kTsv));
}

TEST_CASE("process CPU time counts the work of every thread") {
  const double before = ProcessCpuSeconds();
  REQUIRE(before >= 0);
  // Another thread works while this one sleeps, until the process clock
  // has moved by 20 ms (or 5 s have passed: then the check fails).
  std::atomic<bool> stop{false};
  std::thread worker([&] {
    volatile uint64_t sink = 0;
    while (!stop.load()) sink = sink * 6364136223846793005ULL + 1;
  });
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ProcessCpuSeconds() - before < 0.02 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  worker.join();
  CHECK(ProcessCpuSeconds() - before >= 0.02);
}

}  // namespace
}  // namespace storycluster
