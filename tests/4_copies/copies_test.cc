// Copy detection: accuracy on a generated corpus, resistance to chaining on
// template-heavy text, originals, determinism, and the CLI path.
#include "storycluster/copies.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <iterator>
#include <numeric>
#include <optional>
#include <random>
#include <set>

#include "lib/4_copies/copy_score.h"
#include "lib/common/time_order.h"
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

// A corpus of the shingle sets alone (no terms), as copy detection reads it.
CorpusFeatures CorpusOf(const std::vector<std::vector<uint64_t>>& sets) {
  CorpusFeatures corpus;
  for (const auto& set : sets) {
    ArticleFeatures f;
    f.shingles = set;
    REQUIRE(corpus.Append(f).ok());
  }
  REQUIRE(corpus.shingles->Flush().ok());
  return corpus;
}

absl::StatusOr<CopyGroups> Find(
    const std::vector<std::vector<uint64_t>>& sets,
    absl::Span<const std::optional<absl::Time>> times,
    const CopyOptions& options = {}) {
  return FindCopyGroups(CorpusOf(sets), times, options);
}

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

// The rule one article after another: in time order, each article queries
// an LSH index of the earlier originals, keeps candidates whose signatures
// agree enough for their sizes (LeastCopyJaccard) and whose copy score
// (CopyScore, over the whole corpus's shingle frequencies) reaches the
// threshold, and joins the most similar (ties: the smallest index) or,
// when it matched max_sources originals or none, becomes an original.
CopyGroups SequentialCopyGroups(const std::vector<std::vector<uint64_t>>& sets,
                                const std::vector<std::optional<absl::Time>>& t,
                                const CopyOptions& options) {
  auto hasher = MinHasher::Create(options.minhash);
  REQUIRE(hasher.ok());
  const uint32_t k = (*hasher)->num_hashes();
  auto index = LshIndex::Create(
      LshOptions::ForThreshold(options.threshold - options.candidate_margin, k),
      k);
  REQUIRE(index.ok());
  std::vector<std::vector<uint32_t>> sig(sets.size(), std::vector<uint32_t>(k));
  for (size_t i = 0; i < sets.size(); ++i) {
    (*hasher)->Sign(sets[i], absl::MakeSpan(sig[i]));
  }
  std::optional<ShingleFrequency> frequency;
  if (options.common_articles > 0) {
    size_t total = 0;
    for (const auto& s : sets) total += s.size();
    frequency.emplace(total);
    for (const auto& s : sets) frequency->Add(s);
  }
  const ShingleFrequency* df = frequency ? &*frequency : nullptr;
  CopyGroups out;
  out.original_of.resize(sets.size());
  std::vector<uint32_t> candidates;
  for (uint32_t d : TimeOrder(t)) {
    out.original_of[d] = d;
    if (sets[d].empty()) continue;
    (*index)->Query(sig[d], &candidates);
    out.stats.candidates += candidates.size();
    int64_t best = -1;
    double best_jaccard = 0;
    uint32_t sources = 0;
    for (uint32_t c : candidates) {
      uint32_t agree = 0;
      SignatureAgreement(sig[d], sig[c], 1, absl::MakeSpan(&agree, 1));
      const double least =
          LeastCopyJaccard(sets[d].size(), sets[c].size(), options) -
          options.estimate_slack;
      if (agree < std::ceil(least * k)) continue;
      ++out.stats.estimated;
      const double j = CopyScore(sets[d], ProfileOf(sets[d], df, options),
                                 sets[c], df, options);
      if (j < options.threshold) continue;
      ++out.stats.verified;
      ++sources;
      if (j > best_jaccard) {
        best_jaccard = j;
        best = c;
      }
    }
    if (options.max_sources > 0 && sources >= options.max_sources) best = -1;
    if (best >= 0) {
      out.original_of[d] = static_cast<uint32_t>(best);
    } else {
      (*index)->Insert(d, sig[d]);
    }
  }
  return out;
}

TEST_CASE(
    "copies: the blocked parallel search decides exactly as one article after "
    "another") {
  // 2,000 sets (8 blocks of 256): families of near copies at several
  // distances from their root, exact duplicates (ties), empty sets, and
  // times that interleave families, repeat, or are unknown.
  std::mt19937_64 rng(5);
  std::vector<std::vector<uint64_t>> roots(60);
  for (auto& r : roots) {
    for (int i = 0; i < 300; ++i) r.push_back(rng());
  }
  std::vector<std::vector<uint64_t>> sets;
  std::vector<std::optional<absl::Time>> times;
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint64_t> s;
    if (i % 173 != 0) {
      const auto& root = roots[rng() % roots.size()];
      const int keep = 150 + static_cast<int>(rng() % 151);  // 50-100%
      s.assign(root.begin(), root.begin() + keep);
      for (int extra = static_cast<int>(rng() % 60); extra > 0; --extra) {
        s.push_back(rng());
      }
      if (i % 7 == 0 && !sets.empty()) s = sets[rng() % sets.size()];
    }
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    sets.push_back(std::move(s));
    if (i % 11 == 0) {
      times.push_back(std::nullopt);
    } else {
      times.push_back(t0 + absl::Minutes(static_cast<int64_t>(rng() % 500)));
    }
  }
  // Exact ties: D (100 shingles) is in both A = D u A' and B = D u B'
  // (A', B' disjoint, 100 each), so it is contained in both alike (B
  // holds only half its shingles in A and is no copy of it). A is early
  // (an earlier block), B just before D (D's block) with the smaller
  // index, so the tie must go to B.
  for (int t = 0; t < 20; ++t) {
    std::vector<uint64_t> a, b, d;
    for (int i = 0; i < 100; ++i) d.push_back(rng());
    a = d;
    b = d;
    for (int i = 0; i < 100; ++i) {
      a.push_back(rng());
      b.push_back(rng());
    }
    for (auto* v : {&b, &d, &a}) {
      std::sort(v->begin(), v->end());
      sets.push_back(*v);
    }
    times.push_back(t0 + absl::Minutes(600 + 2 * t));      // B
    times.push_back(t0 + absl::Minutes(600 + 2 * t + 1));  // D
    times.push_back(t0 - absl::Hours(24));                 // A
  }
  CopyOptions options;
  const CopyGroups expected = SequentialCopyGroups(sets, times, options);
  int ties_to_b = 0;
  for (size_t t = 0; t < 20; ++t) {
    ties_to_b += expected.original_of[2000 + 3 * t + 1] == 2000 + 3 * t;
  }
  CHECK(ties_to_b >= 15);  // LSH finds most pairs at J = 0.5
  CHECK(expected.stats.verified > 500);
  for (int threads : {1, 2, 3}) {
    options.threads = threads;
    auto got = Find(sets, times, options);
    REQUIRE(got.ok());
    INFO("threads " << threads);
    CHECK(got->original_of == expected.original_of);
    CHECK(got->stats.candidates == expected.stats.candidates);
    CHECK(got->stats.estimated == expected.stats.estimated);
    CHECK(got->stats.verified == expected.stats.verified);
  }
}

TEST_CASE(
    "copies: generated corpus, pairwise precision >= 0.99, recall >= 0.98") {
  SyntheticOptions options;
  options.articles = 3000;
  options.seed = 11;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  const Prepared p = Prepare(corpus.articles);
  auto groups = Find(p.shingles, p.times);
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
TEST_CASE("copies: a chain of rolling reports stays in bounded groups") {
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
  auto groups = Find(p.shingles, p.times);
  REQUIRE(groups.ok());
  std::vector<int> sizes(groups->num_groups, 0);
  for (uint32_t g : groups->group) ++sizes[g];
  const int largest = *std::max_element(sizes.begin(), sizes.end());
  INFO("groups " << groups->num_groups << ", largest " << largest);
  CHECK(largest <= 4);
  // Every member is a verified copy of its own original: Jaccard at the
  // threshold, or enough of the member in it (containment).
  const CopyOptions defaults;
  for (size_t i = 0; i < articles.size(); ++i) {
    const auto& member = p.shingles[i];
    const auto& original = p.shingles[groups->original_of[i]];
    std::vector<uint64_t> shared;
    std::set_intersection(member.begin(), member.end(), original.begin(),
                          original.end(), std::back_inserter(shared));
    CHECK((ExactJaccard(member, original) >= defaults.threshold ||
           (shared.size() >= defaults.min_shared_shingles &&
            shared.size() >= defaults.containment * member.size())));
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

TEST_CASE("copies: template-heavy market reports are not merged") {
  SyntheticOptions options;
  options.kind = SyntheticKind::kTemplate;
  options.articles = 400;
  options.copy_fraction = 0;
  options.seed = 9;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  const Prepared p = Prepare(corpus.articles);
  auto groups = Find(p.shingles, p.times);
  REQUIRE(groups.ok());
  CHECK(groups->num_groups == corpus.articles.size());
}

TEST_CASE("copies: deterministic, empty texts alone, options validated") {
  SyntheticOptions options;
  options.articles = 500;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  Prepared p = Prepare(corpus.articles);
  p.shingles[3].clear();
  auto a = Find(p.shingles, p.times);
  auto b = Find(p.shingles, p.times);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->group == b->group);
  CHECK(a->original_of == b->original_of);
  CHECK(a->original_of[3] == 3);
  CHECK(std::count(a->group.begin(), a->group.end(), a->group[3]) == 1);
  CopyOptions bad;
  bad.threshold = 0;
  CHECK_FALSE(Find(p.shingles, p.times, bad).ok());
  bad.threshold = 0.5;
  bad.candidate_margin = 0.6;
  CHECK_FALSE(Find(p.shingles, p.times, bad).ok());
  CHECK_FALSE(Find(p.shingles, {}, CopyOptions{}).ok());
}

// Distinct random shingles, as many as asked.
std::vector<uint64_t> Shingles(std::mt19937_64& rng, size_t n) {
  std::vector<uint64_t> out(n);
  for (uint64_t& s : out) s = rng();
  return out;
}

std::vector<uint64_t> SetOf(std::vector<std::vector<uint64_t>> parts) {
  std::vector<uint64_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE(
    "copies: template instances are not copies; their reprints and a widely "
    "reprinted story's copies are") {
  // 100 templated reports: the template's 40 shingles and 20 of their own
  // (Jaccard 0.5 with each other, 0.67 of each in any other); report 60's
  // numbers coincide with report 30's, so half of its own 20 are report
  // 30's. Then a reprint of report 5 with a dateline (one more shingle),
  // and 80 copies of one story (its 300 shingles, each copy with 10 of its
  // own), so that the story is common too.
  std::mt19937_64 rng(31);
  const auto wording = Shingles(rng, 40), story = Shingles(rng, 300);
  std::vector<std::vector<uint64_t>> sets;
  std::vector<std::optional<absl::Time>> times;
  std::vector<std::vector<uint64_t>> own;
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  for (int i = 0; i < 100; ++i) {
    own.push_back(Shingles(rng, 20));
    if (i == 60) std::copy_n(own[30].begin(), 10, own[60].begin());
    sets.push_back(SetOf({wording, own.back()}));
    times.push_back(t0 + absl::Hours(i));
  }
  sets.push_back(SetOf({wording, own[5], Shingles(rng, 1)}));
  times.push_back(t0 + absl::Hours(100));
  for (int i = 0; i < 80; ++i) {
    sets.push_back(SetOf({story, Shingles(rng, 10)}));
    times.push_back(t0 + absl::Hours(101 + i));
  }
  CopyOptions options;
  auto groups = Find(sets, times, options);
  REQUIRE(groups.ok());
  for (uint32_t i = 0; i < 100; ++i) {
    CAPTURE(i);
    CHECK(groups->original_of[i] == i);
  }
  CHECK(groups->original_of[100] == 5);
  for (uint32_t i = 102; i < 181; ++i) {
    CAPTURE(i);
    CHECK(groups->original_of[i] == 101);
  }
  // Half of a few own shingles is too little: without the floor, report 60
  // joins report 30; with no exception for reprints, the reprint is alone.
  options.min_distinct_shared = 0;
  groups = Find(sets, times, options);
  REQUIRE(groups.ok());
  CHECK(groups->original_of[60] == 30);
  options = CopyOptions{};
  options.distinct_reprint = 1;
  groups = Find(sets, times, options);
  REQUIRE(groups.ok());
  CHECK(groups->original_of[100] == 100);
  // Without the rule the reports join each other.
  options.common_articles = 0;
  groups = Find(sets, times, options);
  REQUIRE(groups.ok());
  uint32_t joined = 0;
  for (uint32_t i = 0; i < 100; ++i) joined += groups->original_of[i] != i;
  CHECK(joined > 50);
}

// `sets`: 300 instances of a template, one an hour from `times[0]`. A
// reprint of instance 7 is appended; every instance must stay an original
// and the reprint be found.
void CheckInstancesApartReprintFound(
    std::vector<std::vector<uint64_t>> sets,
    std::vector<std::optional<absl::Time>> times) {
  REQUIRE(sets.size() == 300);
  sets.push_back(sets[7]);
  times.push_back(*times[0] + absl::Hours(300));
  auto groups = Find(sets, times, CopyOptions{});
  REQUIRE(groups.ok());
  for (uint32_t i = 0; i < 300; ++i) {
    CAPTURE(i);
    CHECK(groups->original_of[i] == i);
  }
  CHECK(groups->original_of[300] == 7);
}

TEST_CASE(
    "copies: in a large corpus a template's names and numbers are common "
    "too; its instances stay apart, a reprint of one does not") {
  // 300 instances: the template's 40 shingles (in every instance, a
  // saturated count), 10 of 30 number shingles (each in about 100
  // instances: common, not saturated) and 5 of their own (the place), so
  // each is 50/55 common. Then a reprint of instance 7.
  std::mt19937_64 rng(33);
  const auto wording = Shingles(rng, 40), numbers = Shingles(rng, 30);
  std::vector<std::vector<uint64_t>> sets;
  std::vector<std::optional<absl::Time>> times;
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  for (int i = 0; i < 300; ++i) {
    std::vector<uint64_t> picked = numbers;
    std::shuffle(picked.begin(), picked.end(), rng);
    picked.resize(10);
    sets.push_back(SetOf({wording, picked, Shingles(rng, 5)}));
    times.push_back(t0 + absl::Hours(i));
  }
  CheckInstancesApartReprintFound(sets, times);
}

TEST_CASE(
    "copies: two instances of a template for one place, with other numbers, "
    "are not copies") {
  // 300 instances: the template's 30 shingles, 10 of 30 number shingles
  // (each in about 100 instances: common) and 20 of their own (the place):
  // 40/60 common. Instance 200 is for instance 100's place, with none of
  // its numbers: all of its own wording is instance 100's, but a sixth of
  // it is not. Then a reprint of instance 7.
  std::mt19937_64 rng(35);
  const auto wording = Shingles(rng, 30), numbers = Shingles(rng, 30);
  std::vector<std::vector<uint64_t>> sets, picks, places;
  std::vector<std::optional<absl::Time>> times;
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  for (int i = 0; i < 300; ++i) {
    std::vector<uint64_t> picked = numbers;
    std::shuffle(picked.begin(), picked.end(), rng);
    if (i == 200) {
      std::erase_if(picked, [&](uint64_t v) {
        return std::find(picks[100].begin(), picks[100].end(), v) !=
               picks[100].end();
      });
    }
    picked.resize(10);
    picks.push_back(picked);
    places.push_back(i == 200 ? places[100] : Shingles(rng, 20));
    sets.push_back(SetOf({wording, picked, places.back()}));
    times.push_back(t0 + absl::Hours(i));
  }
  CheckInstancesApartReprintFound(sets, times);
}

TEST_CASE(
    "copies: sets in the temporary file, small ones kept in memory, decide "
    "as in memory") {
  // Templated reports (small sets, compared with many of their kind) among
  // stories with copies (large sets), and short copies of short items.
  std::mt19937_64 rng(34);
  const auto wording = Shingles(rng, 40);
  std::vector<std::vector<uint64_t>> sets;
  std::vector<std::optional<absl::Time>> times;
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  for (int i = 0; i < 600; ++i) {
    if (i % 3 == 0) {
      sets.push_back(SetOf({wording, Shingles(rng, 20)}));
    } else if (i % 3 == 1 || sets.size() < 2) {
      sets.push_back(SetOf({Shingles(rng, i % 2 ? 400 : 90)}));
    } else {
      auto copy = sets[rng() % sets.size()];
      copy.resize(copy.size() * 9 / 10);
      sets.push_back(SetOf({copy, Shingles(rng, 5)}));
    }
    times.push_back(t0 + absl::Minutes(i));
  }
  const auto in_memory = Find(sets, times);
  REQUIRE(in_memory.ok());
  CHECK(in_memory->stats.verified > 50);
  CorpusFeatures corpus;
  auto store = ShingleStore::InTemporaryFile(
      std::filesystem::temp_directory_path().string(), 0);
  REQUIRE(store.ok());
  corpus.shingles = std::move(*store);
  for (const auto& set : sets) {
    ArticleFeatures f;
    f.shingles = set;
    REQUIRE(corpus.Append(f).ok());
  }
  REQUIRE(corpus.shingles->Flush().ok());
  REQUIRE(corpus.shingles->in_file());
  for (int threads : {1, 2}) {
    CopyOptions options;
    options.threads = threads;
    const auto in_file = FindCopyGroups(corpus, times, options);
    REQUIRE(in_file.ok());
    CHECK(in_file->original_of == in_memory->original_of);
    CHECK(in_file->stats.candidates == in_memory->stats.candidates);
    CHECK(in_file->stats.estimated == in_memory->stats.estimated);
    CHECK(in_file->stats.verified == in_memory->stats.verified);
  }
}

TEST_CASE("copies: shingle counts saturate; the least Jaccard of a copy") {
  std::mt19937_64 rng(32);
  const auto set = SetOf({Shingles(rng, 50)});
  ShingleFrequency frequency(1000);
  for (int i = 0; i < 300; ++i) frequency.Add(set);
  for (uint64_t s : set) CHECK(frequency.Count(s) == 255);
  CopyOptions options;
  const SetProfile profile = ProfileOf(set, &frequency, options);
  CHECK(profile.size == 50);
  CHECK(profile.common == 50);
  CHECK(ProfileOf(set, nullptr, options).common == 0);
  // Later 100 shingles, earlier 200: 65 shared give 65 / 235.
  CHECK(LeastCopyJaccard(100, 200, options) == Approx(65.0 / 235.0));
  CHECK(LeastCopyJaccard(100, 100, options) == Approx(65.0 / 135.0));
  // A later set much larger than the earlier one cannot be contained: the
  // bound is the threshold's.
  CHECK(LeastCopyJaccard(1000, 10, options) == options.threshold);
  options.containment = 0;
  CHECK(LeastCopyJaccard(100, 200, options) == options.threshold);
}

TEST_CASE("copies: containment finds a cut copy; a follow-up stays apart") {
  std::mt19937_64 rng(21);
  const auto kept = Shingles(rng, 200), cut = Shingles(rng, 200);
  const auto added = Shingles(rng, 30), fresh = Shingles(rng, 250);
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  // 0: the original. 1: a copy that lost half of it and gained a little
  // (Jaccard 200/430 = 0.47, containment 200/230 = 0.87). 2: a follow-up
  // reusing a third of it as background (containment 150/400 = 0.38).
  const std::vector<std::vector<uint64_t>> sets = {
      SetOf({kept, cut}), SetOf({kept, added}),
      SetOf({std::vector<uint64_t>(kept.begin(), kept.begin() + 150), fresh})};
  const std::vector<std::optional<absl::Time>> times = {t0, t0 + absl::Hours(2),
                                                        t0 + absl::Hours(5)};
  CopyOptions options;
  auto with = Find(sets, times, options);
  REQUIRE(with.ok());
  CHECK(with->original_of == std::vector<uint32_t>{0, 0, 2});
  options.containment = 0;  // Jaccard alone misses the copy
  auto without = Find(sets, times, options);
  REQUIRE(without.ok());
  CHECK(without->original_of == std::vector<uint32_t>{0, 1, 2});
  // Containment needs enough shared shingles: a 40-shingle copy is too
  // little evidence for it.
  const std::vector<std::vector<uint64_t>> small = {
      SetOf({std::vector<uint64_t>(kept.begin(), kept.begin() + 40), cut}),
      SetOf({std::vector<uint64_t>(kept.begin(), kept.begin() + 40),
             std::vector<uint64_t>(added.begin(), added.begin() + 5)})};
  auto tiny = Find(small, {t0, t0 + absl::Hours(1)}, CopyOptions{});
  REQUIRE(tiny.ok());
  CHECK(tiny->original_of == std::vector<uint32_t>{0, 1});
  // A follow-up that repeats nearly all of a story of its own size: 280 of
  // the story's 300 shingles under 170 of new reporting (Jaccard
  // 280/470 = 0.6, but only 280/450 = 0.62 of it is in the story). Jaccard
  // alone would call it a copy.
  const auto story = Shingles(rng, 300);
  const std::vector<std::vector<uint64_t>> update = {
      SetOf({story}),
      SetOf({std::vector<uint64_t>(story.begin(), story.begin() + 280),
             Shingles(rng, 170)})};
  auto follow = Find(update, {t0, t0 + absl::Hours(3)}, CopyOptions{});
  REQUIRE(follow.ok());
  CHECK(follow->original_of == std::vector<uint32_t>{0, 1});
  follow = Find(update, {t0, t0 + absl::Hours(3)}, options);  // Jaccard only
  REQUIRE(follow.ok());
  CHECK(follow->original_of == std::vector<uint32_t>{0, 0});
  options.containment = 1.5;
  CHECK_FALSE(Find(sets, times, options).ok());
}

TEST_CASE("copies: text that matches several originals is a template's") {
  // Three originals that share a template's wording, each with as much of
  // its own (so none is a copy of another); a later article is mostly the
  // wording they share.
  std::mt19937_64 rng(22);
  const std::vector<uint64_t> wording = Shingles(rng, 120);
  std::vector<std::vector<uint64_t>> sets;
  for (int i = 0; i < 3; ++i) {
    sets.push_back(SetOf({wording, Shingles(rng, 120)}));
  }
  sets.push_back(SetOf({wording, Shingles(rng, 10)}));
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  const std::vector<std::optional<absl::Time>> times = {
      t0, t0 + absl::Hours(1), t0 + absl::Hours(2), t0 + absl::Hours(3)};
  CopyOptions options;
  options.candidate_margin = 0.45;  // every pair a candidate
  options.estimate_slack = 1;       // and checked exactly
  auto groups = Find(sets, times, options);
  REQUIRE(groups.ok());
  CHECK(groups->original_of == std::vector<uint32_t>{0, 1, 2, 3});
  CHECK(groups->stats.verified == 3);
  options.max_sources = 0;  // without the rule it joins one of them
  groups = Find(sets, times, options);
  REQUIRE(groups.ok());
  CHECK(groups->original_of[3] < 3);
}

// The pipeline signs the shingle sets as it extracts them
// (CorpusFeatures::signatures); copy detection then uses those rows.
TEST_CASE("copies: signatures made beforehand are used, checked, or ignored") {
  SyntheticOptions options;
  options.articles = 400;
  options.seed = 4;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  const Prepared p = Prepare(corpus.articles);
  CorpusFeatures features = CorpusOf(p.shingles);
  const CopyOptions defaults;
  auto hasher = MinHasher::Create(defaults.minhash);
  REQUIRE(hasher.ok());
  const size_t k = (*hasher)->num_hashes();
  std::vector<uint32_t> rows(p.shingles.size() * k);
  for (size_t i = 0; i < p.shingles.size(); ++i) {
    (*hasher)->Sign(p.shingles[i], absl::MakeSpan(rows).subspan(i * k, k));
  }
  auto plain = FindCopyGroups(features, p.times);
  REQUIRE(plain.ok());
  REQUIRE(plain->num_groups < p.shingles.size());  // there are copies

  // The same rows give the same groups and statistics.
  features.signatures = rows;
  features.signature_options = defaults.minhash;
  auto given = FindCopyGroups(features, p.times);
  REQUIRE(given.ok());
  CHECK(given->original_of == plain->original_of);
  CHECK(given->stats.candidates == plain->stats.candidates);
  CHECK(given->stats.verified == plain->stats.verified);

  // Rows that agree nowhere: no article becomes anyone's candidate, so no
  // copies — the rows, not the sets, decided.
  std::vector<uint32_t> unrelated(rows.size());
  std::iota(unrelated.begin(), unrelated.end(), 0u);
  features.signatures = unrelated;
  auto from_corpus = FindCopyGroups(features, p.times);
  REQUIRE(from_corpus.ok());
  CHECK(from_corpus->num_groups == p.shingles.size());
  // Made under another seed: not used, the sets are signed again.
  features.signature_options.seed ^= 1;
  auto resigned = FindCopyGroups(features, p.times);
  REQUIRE(resigned.ok());
  CHECK(resigned->original_of == plain->original_of);

  // A matrix of the wrong size is refused.
  features.signature_options = defaults.minhash;
  rows.pop_back();
  features.signatures = rows;
  CHECK_FALSE(FindCopyGroups(features, p.times).ok());
}

}  // namespace
}  // namespace storycluster
