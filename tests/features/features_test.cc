// Features: shingle hashing (pinned by golden values) and weighted terms.
#include "storycluster/features.h"

#include <catch2/catch.hpp>
#include <map>

namespace storycluster {
namespace {

std::vector<Token> Words(std::initializer_list<const char*> words) {
  std::vector<Token> out;
  for (const char* w : words)
    out.push_back(Token{w, 0, 0, TokenKind::kWord, false});
  return out;
}

TEST_CASE("shingles: count, order-independence of duplicates, short texts") {
  const auto tokens = Words({"a", "b", "c", "d", "e", "f", "g"});
  CHECK(ShingleHashes(tokens, 5).size() == 3);
  CHECK(ShingleHashes(tokens, 1).size() == 7);
  CHECK(ShingleHashes(Words({"x", "y"}), 5).size() == 1);
  CHECK(ShingleHashes({}, 5).empty());
  const auto repeated = Words({"a", "b", "a", "b", "a", "b"});
  CHECK(ShingleHashes(repeated, 2).size() == 2);  // "a b" and "b a"
  const auto hashes = ShingleHashes(tokens, 5);
  CHECK(std::is_sorted(hashes.begin(), hashes.end()));
}

TEST_CASE("shingles of a flat token list equal those of its tokens") {
  auto tokenizer = Tokenizer::Create();
  REQUIRE(tokenizer.ok());
  TokenList list;
  (*tokenizer)->TokenizeTo("Talks stall", 0, &list);
  const size_t title = list.size();
  (*tokenizer)
      ->TokenizeTo(
          "The port talks resumed, see www.example.com/x for 2,000 details on "
          "the port talks and the strike.",
          0, &list);
  const auto tokens = (*tokenizer)
                          ->Tokenize(
                              "The port talks resumed, see www.example.com/x "
                              "for 2,000 details on "
                              "the port talks and the strike.");
  for (int k : {1, 2, 5, 16}) {
    INFO(k);
    CHECK(ShingleHashes(list, title, list.size(), k) ==
          ShingleHashes(tokens, k));  // the URL token in between is skipped
  }
  CHECK(ShingleHashes(list, 0, title, 5) ==
        ShingleHashes(Words({"talks", "stall"}), 5));
  CHECK(ShingleHashes(list, 0, 0, 5).empty());
}

TEST_CASE("shingles: golden values pin the hash and seed") {
  // If this fails, the shingle format changed: persisted signatures and
  // comparisons across versions would silently break. Bump the format.
  const auto h1 = ShingleHashes(Words({"north", "korea"}), 5);
  REQUIRE(h1.size() == 1);
  CHECK(h1[0] == 0xa6db5d8f93adc95bULL);
}

TEST_CASE("features: title terms weigh more, stop words and boilerplate go") {
  Article a;
  a.id = "a";
  a.title = "Talks stall";
  a.text = "Advertisement\nThe talks in Hanoi stalled on Friday.";
  auto extractor = FeatureExtractor::Create(FeatureOptions{}, {});
  REQUIRE(extractor.ok());
  const ArticleFeatures f = (*extractor)->Extract(a);
  CHECK(f.removed_lines == 1);
  std::map<std::string, float> w;
  for (const auto& t : f.terms) w[t.term] = t.weight;
  CHECK(w.count("the") == 0);
  CHECK(w.count("advertisement") == 0);
  CHECK(w.at("talk") == 3.0f);  // stemmed; title (2) + body (1)
  CHECK(w.at("hanoi") == 1.0f);
  CHECK(w.count("stall") == 1);  // "stall" and "stalled" share a stem
  std::map<std::string, float> e;
  for (const auto& t : f.entities) e[t.term] = t.weight;
  CHECK(e.count("hanoi") == 1);  // capitalised inside a sentence
  CHECK(e.count("friday") == 1);
  CHECK(e.count("talk") == 0);   // entities are not stemmed
  CHECK(e.count("talks") == 0);  // sentence-initial only, never mid-sentence
  CHECK_FALSE(f.shingles.empty());
}

}  // namespace
}  // namespace storycluster
