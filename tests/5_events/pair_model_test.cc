// The event pair model: the file format and its refusals, the fit against
// known probabilities, the shipped model's handling of time, and training
// through the pipeline.
#include "storycluster/events.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "storycluster/pipeline.h"
#include "test_util.h"

namespace storycluster {
namespace {

PairEvidence Evidence(double text, double entity, std::optional<double> gap,
                      uint32_t terms_a = 150, uint32_t terms_b = 150) {
  PairEvidence e;
  e.text_cosine = text;
  e.entity_cosine = entity;
  e.gap_days = gap;
  e.terms_a = terms_a;
  e.terms_b = terms_b;
  return e;
}

TEST_CASE("pair model: the file round-trips exactly") {
  const PairModel& model = PairModel::Default();
  const std::string text = model.Serialize();
  CHECK_THAT(text, Catch::StartsWith("#storycluster-pair-model\tv1\n"));
  auto parsed = PairModel::Parse(text, "round trip");
  REQUIRE(parsed.ok());
  CHECK(parsed->bias() == model.bias());
  CHECK(parsed->weights() == model.weights());
  CHECK(parsed->Serialize() == text);
  // Saved and loaded through a file.
  auto dir = testing::TempDir("pair_model");
  const std::string path = (dir / "model.tsv").string();
  REQUIRE(model.Save(path).ok());
  auto loaded = PairModel::Load(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->weights() == model.weights());
  CHECK(absl::IsNotFound(PairModel::Load((dir / "none").string()).status()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("pair model: bad files are refused with the line and the reason") {
  const std::string good = PairModel::Default().Serialize();
  const std::string first_feature = std::string(PairFeatureNames()[0]) + "\t";
  struct Bad {
    std::string text, line, reason;
  };
  const std::vector<Bad> cases = {
      {"", ":1:", "empty"},
      {"#something-else\tv1\n", ":1:", "not a pair model file"},
      {absl::StrReplaceAll(good, {{"\tv1\n", "\tv2\n"}}),
       ":1:", "v2 is not supported"},
      {absl::StrReplaceAll(good, {{first_feature, "colour\t"}}),
       ":3:", "unknown feature 'colour'"},
      {good + first_feature + "1\n", ":12:", "given twice"},
      {absl::StrReplaceAll(good, {{"bias\t", "bias\tnan"}}),
       ":2:", "finite number"},
      {absl::StrReplaceAll(good, {{"bias\t", "bias\t1 2 "}}),
       ":2:", "finite number"},
      {good.substr(
           0, good.rfind(std::string(PairFeatureNames()[kPairFeatures - 1]))),
       ":", "no weight for"},
  };
  for (const Bad& bad : cases) {
    INFO(bad.text);
    auto parsed = PairModel::Parse(bad.text, "m.tsv");
    REQUIRE_FALSE(parsed.ok());
    const std::string message(parsed.status().message());
    CHECK_THAT(message, Catch::StartsWith("m.tsv" + bad.line));
    CHECK_THAT(message, Catch::Contains(bad.reason));
  }
}

TEST_CASE("pair model: the fit recovers the probabilities it was drawn from") {
  // Pairs labeled by a known model: the fitted one gives nearly the same
  // probabilities on fresh evidence.
  auto truth = PairModel::Parse(
      "#storycluster-pair-model\tv1\nbias\t-3\ntext_cosine\t6\n"
      "sqrt_text_cosine\t0\nentity_cosine\t2\ndated\t1\nlog_gap\t-1.5\n"
      "log_gap_x_text\t0\nlog_shorter_terms\t0\nshorter_x_text\t0\n"
      "log_length_ratio\t0\n",
      "truth");
  REQUIRE(truth.ok());
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  auto draw = [&] {
    const bool dated = unit(rng) < 0.7;
    return Evidence(unit(rng), unit(rng),
                    dated ? std::optional<double>(30 * unit(rng) * unit(rng))
                          : std::nullopt,
                    static_cast<uint32_t>(5 + 300 * unit(rng)),
                    static_cast<uint32_t>(5 + 300 * unit(rng)));
  };
  std::vector<PairSample> samples;
  for (int i = 0; i < 40000; ++i) {
    PairSample s;
    s.evidence = draw();
    s.same_event = unit(rng) < truth->Probability(s.evidence);
    samples.push_back(s);
  }
  auto fitted = PairModel::Fit(samples, 1e-6);
  REQUIRE(fitted.ok());
  double worst = 0;
  for (int i = 0; i < 2000; ++i) {
    const PairEvidence e = draw();
    worst = std::max(worst,
                     std::abs(fitted->Probability(e) - truth->Probability(e)));
  }
  CHECK(worst < 0.05);
  // Deterministic: the same samples give the same model.
  auto again = PairModel::Fit(samples, 1e-6);
  REQUIRE(again.ok());
  CHECK(again->Serialize() == fitted->Serialize());
}

TEST_CASE("pair model: fits that cannot be made are errors") {
  CHECK_FALSE(PairModel::Fit({}).ok());
  std::vector<PairSample> one_class(10);
  for (PairSample& s : one_class) s.evidence = Evidence(0.5, 0.5, 1.0);
  CHECK(absl::IsInvalidArgument(PairModel::Fit(one_class).status()));
  one_class[0].same_event = true;
  one_class[1].evidence.text_cosine = std::nan("");
  CHECK(absl::IsInvalidArgument(PairModel::Fit(one_class).status()));
  one_class[1].evidence.text_cosine = 0.5;
  one_class[2].weight = -1;
  CHECK(absl::IsInvalidArgument(PairModel::Fit(one_class).status()));
  CHECK_FALSE(PairModel::Fit(one_class, -1).ok());
}

TEST_CASE("pair model: the shipped model reads time as evidence") {
  const PairModel& model = PairModel::Default();
  for (double text : {0.1, 0.3, 0.6}) {
    INFO(text);
    // More similar text: more likely one event, at any gap.
    CHECK(model.Probability(Evidence(text + 0.1, 0.3, 1.0)) >
          model.Probability(Evidence(text, 0.3, 1.0)));
    // A gap lowers it step by step; no wall: a week apart is not zero.
    const double same_day = model.Probability(Evidence(text, 0.3, 0.0));
    const double week = model.Probability(Evidence(text, 0.3, 7.0));
    const double month = model.Probability(Evidence(text, 0.3, 30.0));
    CHECK(same_day > week);
    CHECK(week > month);
    CHECK(month > 0);
    // An unknown date is neither the same day nor a month apart.
    const double unknown = model.Probability(Evidence(text, 0.3, std::nullopt));
    CHECK(unknown < same_day);
    CHECK(unknown > month);
  }
}

TEST_CASE("pair model: trained through the pipeline, for any thread count") {
  auto dir = testing::TempDir("pair_train");
  std::vector<TrainingCorpus> corpora;
  for (uint64_t seed : {3, 4}) {
    const auto jsonl = dir / absl::StrCat("c", seed, ".jsonl");
    const auto labels = dir / absl::StrCat("c", seed, ".labels.tsv");
    testing::WriteLabeledCorpus(jsonl, labels, seed, 30, 4);
    corpora.push_back({{jsonl.string()}, labels.string()});
  }
  std::string first;
  for (int threads : {1, 2, 3}) {
    PipelineOptions options;
    options.threads = threads;
    TrainingReport report;
    auto model = TrainPairModel(corpora, {}, options, 1e-3, &report);
    INFO(model.status().ToString());
    REQUIRE(model.ok());
    REQUIRE(report.corpora.size() == 2);
    for (const auto& c : report.corpora) {
      CHECK(c.articles == 120);
      CHECK(c.pairs > 0);
      CHECK(c.same > 0);
      CHECK(c.same < c.pairs);
      CHECK(c.unlabeled == 0);
    }
    if (first.empty()) first = model->Serialize();
    CHECK(model->Serialize() == first);
  }
  // As storylines, a corpus gives its pairs across clusters only, each
  // weighing as in the full corpus: another model from the same pairs.
  std::vector<TrainingCorpus> as_storylines = corpora;
  as_storylines[1].labels = TrainingCorpus::Labels::kStorylines;
  TrainingReport report;
  auto model = TrainPairModel(as_storylines, {}, {}, 1e-3, &report);
  REQUIRE(model.ok());
  REQUIRE(report.corpora.size() == 2);
  CHECK(report.corpora[0].samples == report.corpora[0].pairs);
  CHECK(report.corpora[1].samples ==
        report.corpora[1].pairs - report.corpora[1].same);
  CHECK(model->Serialize() != first);
  // A gold file that does not exist, or has no event column, is an error.
  std::vector<TrainingCorpus> bad = {{corpora[0].inputs, "/no/such.tsv"}};
  CHECK_FALSE(TrainPairModel(bad, {}, {}).ok());
  testing::WriteFile(dir / "bad.tsv", "id\tstory\nx\ts1\n");
  bad[0].gold = (dir / "bad.tsv").string();
  CHECK_FALSE(TrainPairModel(bad, {}, {}).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace storycluster
