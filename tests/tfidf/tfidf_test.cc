// TF-IDF: document frequencies, the saved table format, vectors.
#include "storycluster/tfidf.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "test_util.h"

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

}  // namespace
}  // namespace storycluster
