// Copy detection: accuracy on a generated corpus, resistance to chaining on
// template-heavy text, originals, determinism, and the CLI path.
#include "storycluster/dedup.h"

#include <catch2/catch.hpp>
#include <numeric>
#include <random>
#include <set>

#include "storycluster/eval.h"
#include "storycluster/features.h"
#include "storycluster/ingest.h"
#include "storycluster/output.h"
#include "storycluster/synthetic.h"

namespace storycluster {
namespace {

struct Prepared {
  std::vector<std::vector<uint64_t>> shingles;
  std::vector<std::optional<absl::Time>> times;
};

Prepared Prepare(const std::vector<Article>& articles) {
  FeatureOptions options;
  options.terms = false;
  auto extractor = FeatureExtractor::Create(options, articles);
  REQUIRE(extractor.ok());
  Prepared p;
  for (const Article& a : articles) {
    p.shingles.push_back((*extractor)->Extract(a).shingles);
    p.times.push_back(a.published);
  }
  return p;
}

TEST_CASE(
    "dedup: generated corpus, pairwise precision >= 0.99, recall >= 0.98") {
  SyntheticOptions options;
  options.articles = 3000;
  options.seed = 11;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  const Prepared p = Prepare(corpus.articles);
  auto groups = FindCopyGroups(p.shingles, p.times);
  REQUIRE(groups.ok());
  IngestResult ingest;
  ingest.articles = corpus.articles;
  const std::string pred =
      FormatCopyGroups(ingest, *groups, OutputFormat::kTsv);
  EvalOptions eval;
  eval.pred_column = "dup";
  auto scores = Evaluate(CorpusLabelsTsv(corpus), pred, eval);
  REQUIRE(scores.ok());
  INFO(ScoresToJson(*scores));
  CHECK(scores->pair_p >= 0.99);
  CHECK(scores->pair_r >= 0.98);
  CHECK(groups->stats.verified > 0);
  // Every original is the earliest member of its group.
  for (size_t i = 0; i < corpus.articles.size(); ++i) {
    const uint32_t o = groups->original_of[i];
    REQUIRE(groups->original_of[o] == o);
    CHECK(*corpus.articles[o].published <= *corpus.articles[i].published);
  }
}

// Rolling reports: report i is sentences [i, i+8) of one long sequence, so
// neighbours are near-copies but reports a few days apart share little.
TEST_CASE("dedup: a chain of rolling reports stays in bounded groups") {
  std::mt19937_64 rng(5);
  std::vector<std::string> sentences;
  for (int s = 0; s < 120; ++s) {
    sentences.push_back("Forecast item " + std::to_string(rng() % 100000) +
                        " says wind " + std::to_string(rng() % 100) +
                        " and rain " + std::to_string(rng() % 100) +
                        " over the northern hills today.");
  }
  std::vector<Article> articles;
  for (int i = 0; i < 100; ++i) {
    Article a;
    a.id = "day" + std::to_string(i);
    for (int s = i; s < i + 8; ++s) a.text += sentences[s] + " ";
    a.published = absl::FromUnixSeconds(1700000000 + i * 86400);
    articles.push_back(std::move(a));
  }
  const Prepared p = Prepare(articles);
  auto groups = FindCopyGroups(p.shingles, p.times);
  REQUIRE(groups.ok());
  std::vector<int> sizes(groups->num_groups, 0);
  for (uint32_t g : groups->group) ++sizes[g];
  const int largest = *std::max_element(sizes.begin(), sizes.end());
  INFO("groups " << groups->num_groups << ", largest " << largest);
  CHECK(largest <= 4);
  // Every member is a verified copy of its own original.
  for (size_t i = 0; i < articles.size(); ++i) {
    CHECK(ExactJaccard(p.shingles[i], p.shingles[groups->original_of[i]]) >=
          0.5);
  }
  // Single-link grouping over the same verified edges would chain all 100.
  std::vector<uint32_t> parent(articles.size());
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (size_t i = 0; i < articles.size(); ++i) {
    for (size_t j = i + 1; j < articles.size(); ++j) {
      if (ExactJaccard(p.shingles[i], p.shingles[j]) >= 0.5) {
        parent[find(i)] = find(j);
      }
    }
  }
  std::set<uint32_t> components;
  for (size_t i = 0; i < articles.size(); ++i) components.insert(find(i));
  CHECK(components.size() == 1);
}

TEST_CASE("dedup: template-heavy market reports are not merged") {
  SyntheticOptions options;
  options.kind = SyntheticKind::kTemplate;
  options.articles = 400;
  options.copy_fraction = 0;
  options.seed = 9;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  const Prepared p = Prepare(corpus.articles);
  auto groups = FindCopyGroups(p.shingles, p.times);
  REQUIRE(groups.ok());
  CHECK(groups->num_groups == corpus.articles.size());
}

TEST_CASE("dedup: deterministic, empty texts alone, options validated") {
  SyntheticOptions options;
  options.articles = 500;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  Prepared p = Prepare(corpus.articles);
  p.shingles[3].clear();
  auto a = FindCopyGroups(p.shingles, p.times);
  auto b = FindCopyGroups(p.shingles, p.times);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->group == b->group);
  CHECK(a->original_of == b->original_of);
  CHECK(a->original_of[3] == 3);
  CHECK(std::count(a->group.begin(), a->group.end(), a->group[3]) == 1);
  DedupOptions bad;
  bad.threshold = 0;
  CHECK_FALSE(FindCopyGroups(p.shingles, p.times, bad).ok());
  bad.threshold = 0.5;
  bad.candidate_margin = 0.6;
  CHECK_FALSE(FindCopyGroups(p.shingles, p.times, bad).ok());
  CHECK_FALSE(FindCopyGroups(p.shingles, {}, DedupOptions{}).ok());
}

}  // namespace
}  // namespace storycluster
