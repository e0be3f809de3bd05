// TF-IDF: document frequencies, the saved table format, vectors.
#include <catch2/catch.hpp>
#include <cmath>

#include "storycluster/features.h"
#include "test_util.h"
#include "tests/3_features/reference_tfidf.h"

namespace storycluster {
namespace {

std::vector<WeightedTerm> Terms(std::initializer_list<const char*> terms) {
  std::vector<WeightedTerm> out;
  for (const char* t : terms) out.push_back({t, 1.0f});
  return out;
}

TEST_CASE("tfidf: document frequencies count each term once per document") {
  DocumentFrequencies df;
  df.Add(Terms({"quake", "chile", "quake"}));
  df.Add(Terms({"quake", "peru"}));
  CHECK(df.documents() == 2);
  CHECK(df.df("quake") == 2);
  CHECK(df.df("chile") == 1);
  CHECK(df.df("unknown") == 0);
  DocumentFrequencies more;
  more.Add(Terms({"chile"}));
  df.Merge(more);
  CHECK(df.documents() == 3);
  CHECK(df.df("chile") == 2);
}

TEST_CASE("tfidf: tables save and load exactly; bad files are refused") {
  auto dir = testing::TempDir("tfidf");
  DocumentFrequencies df;
  df.Add(Terms({"b", "a"}));
  df.Add(Terms({"a"}));
  const std::string path = (dir / "df.tsv").string();
  REQUIRE(df.Save(path).ok());
  CHECK(testing::ReadFile(path) ==
        "#storycluster-df\tv1\tdocuments=2\na\t2\nb\t1\n");
  auto loaded = DocumentFrequencies::Load(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->documents() == 2);
  CHECK(loaded->df("a") == 2);
  CHECK(loaded->terms() == 2);
  auto expect_error = [&](const std::string& text, const std::string& what) {
    testing::WriteFile(dir / "bad.tsv", text);
    auto bad = DocumentFrequencies::Load((dir / "bad.tsv").string());
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(std::string(bad.status().message()), Catch::Contains(what));
  };
  expect_error("", "empty file");
  expect_error("#storycluster-df\tv2\tdocuments=2\n", ":1: not a storycluster");
  expect_error("#storycluster-df\tv1\tdocuments=2\na\t3\n", ":2: expected");
  expect_error("#storycluster-df\tv1\tdocuments=2\na\t1\na\t1\n",
               ":3: duplicate term 'a'");
  CHECK_FALSE(DocumentFrequencies::Load((dir / "none.tsv").string()).ok());
  std::filesystem::remove_all(dir);
}

TEST_CASE("tfidf: vectors are L2-normalised with sublinear tf and idf") {
  DocumentFrequencies df;
  df.Add(Terms({"common", "rare"}));
  df.Add(Terms({"common"}));
  df.Add(Terms({"common"}));
  TfidfOptions options;
  options.idf_offset = 1.0;
  auto vectorizer = TfidfVectorizer::Create(&df, options);
  REQUIRE(vectorizer.ok());
  const SparseTermVector v =
      (*vectorizer)->Vectorize({{"common", 1.0f}, {"rare", std::exp(1.0f)}});
  REQUIRE(v.indices.size() == 2);
  const double common = std::log(4.0 / 4.0) + 1.0;        // 1
  const double rare = 2.0 * (std::log(4.0 / 2.0) + 1.0);  // (1 + ln e) idf
  const double norm = std::sqrt(common * common + rare * rare);
  CHECK(v.values[0] == Approx(common / norm));
  CHECK(v.values[1] == Approx(rare / norm));
  CHECK((*vectorizer)->dimension() == 2);
  // An unseen term gets the highest idf and a new index.
  const SparseTermVector u = (*vectorizer)->Vectorize({{"new", 1.0f}});
  CHECK(u.indices == std::vector<uint32_t>{2});
  CHECK(u.values[0] == Approx(1.0));
  CHECK_FALSE(TfidfVectorizer::Create(nullptr).ok());
}

TEST_CASE(
    "tfidf: whole-corpus vectors equal one table plus in-order vectorizing, "
    "for any thread count") {
  // 3,000 documents over a Zipf-like vocabulary, with repeated terms, a
  // zero weight and some empty documents.
  std::vector<std::vector<WeightedTerm>> corpus(3000);
  uint64_t state = 7;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (size_t d = 0; d < corpus.size(); ++d) {
    if (d % 97 == 5) continue;
    const size_t terms = 1 + next() % 40;
    for (size_t t = 0; t < terms; ++t) {
      const uint64_t rank = next() % 2000;
      corpus[d].push_back({"t" + std::to_string(rank * rank / 2000),
                           static_cast<float>(next() % 5)});
    }
  }
  corpus[10].push_back(corpus[10].front());  // a term listed twice
  std::vector<absl::Span<const WeightedTerm>> docs(corpus.begin(),
                                                   corpus.end());
  DocumentFrequencies background;
  background.Add(Terms({"t0", "t1", "elsewhere"}));

  // The reference: one table, then one vectorizer per offset, in order.
  const std::vector<double> offsets = {0.2, 1.0};
  DocumentFrequencies corpus_df;
  for (const auto& d : corpus) corpus_df.Add(d);
  DocumentFrequencies merged = corpus_df;
  merged.Merge(background);
  std::vector<std::vector<SparseTermVector>> expected(offsets.size());
  uint32_t dimension = 0;
  for (size_t k = 0; k < offsets.size(); ++k) {
    TfidfOptions options;
    options.idf_offset = offsets[k];
    auto vectorizer = TfidfVectorizer::Create(&merged, options);
    REQUIRE(vectorizer.ok());
    for (const auto& d : corpus) {
      expected[k].push_back((*vectorizer)->Vectorize(d));
    }
    dimension = (*vectorizer)->dimension();
  }
  for (int threads : {1, 2, 3, 8}) {
    DocumentFrequencies df_out;
    auto got = VectorizeCorpus(docs, offsets, &background, threads, &df_out);
    REQUIRE(got.ok());
    CHECK(got->dimension == dimension);
    CHECK(df_out.documents() == corpus_df.documents());
    CHECK(df_out.terms() == corpus_df.terms());
    CHECK(df_out.df("t0") == corpus_df.df("t0"));
    CHECK(df_out.df("elsewhere") == 0);
    for (size_t k = 0; k < offsets.size(); ++k) {
      REQUIRE(got->vectors[k].size() == corpus.size());
      for (size_t d = 0; d < corpus.size(); ++d) {
        INFO("threads " << threads << " offset " << offsets[k] << " doc " << d);
        REQUIRE(got->vectors[k][d].indices == expected[k][d].indices);
        REQUIRE(got->vectors[k][d].values == expected[k][d].values);
      }
    }
  }
  CHECK_FALSE(VectorizeCorpus(docs, std::vector<double>{-1.0}).ok());
  auto empty = VectorizeCorpus({}, offsets);
  REQUIRE(empty.ok());
  CHECK(empty->dimension == 0);
  CHECK(empty->vectors[0].empty());
}

}  // namespace
}  // namespace storycluster
