// Features: shingle hashing (pinned by golden values) and weighted terms.
#include "storycluster/features.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>

#include "lib/common/hash_sort.h"
#include "storycluster/synthetic.h"

namespace storycluster {
namespace {

Article MakeArticle(std::string id, std::string title, std::string text) {
  Article a;
  a.id = std::move(id);
  a.title = std::move(title);
  a.text = std::move(text);
  return a;
}

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

TEST_CASE("hash sort: the order of std::sort, for even and skewed values") {
  std::mt19937_64 rng(11);
  auto check = [&](std::vector<uint64_t> values) {
    std::vector<uint64_t> expected = values;
    std::sort(expected.begin(), expected.end());
    SortHashes(values);
    CHECK(values == expected);
  };
  for (size_t n : {0, 1, 2, 63, 64, 65, 400, 5000, 200000}) {
    std::vector<uint64_t> even(n);
    for (uint64_t& v : even) v = rng();
    check(even);
    // Skewed: every value in one bucket, with repeats (large buckets).
    std::vector<uint64_t> skewed(n);
    for (uint64_t& v : skewed) v = rng() % 37;
    check(skewed);
    // Runs of one bucket next to even values; already sorted; reversed.
    std::vector<uint64_t> mixed = even;
    for (size_t i = 0; i < n / 3; ++i) mixed[i] = (uint64_t{7} << 60) | i;
    check(mixed);
    std::sort(even.begin(), even.end());
    check(even);
    std::reverse(even.begin(), even.end());
    check(even);
  }
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

TEST_CASE("features: title terms weigh more, stop words and furniture go") {
  const Article a =
      MakeArticle("a", "Talks stall",
                  "Advertisement\nThe talks in Hanoi stalled on Friday.");
  auto extractor = FeatureExtractor::Create(FeatureOptions{}, {});
  REQUIRE(extractor.ok());
  const ArticleFeatures f = (*extractor)->Extract(a);
  CHECK(f.removed_lines == 1);
  std::map<std::string, float> w;
  for (const auto& t : f.terms) w[t.term] = t.weight;
  CHECK(w.count("the") == 0);
  CHECK(w.count("advertisement") == 0);
  // Stemmed; title (2) + body lead (1.5): the body is shorter than the
  // lead's 120 tokens.
  CHECK(w.at("talk") == 3.5f);
  CHECK(w.at("hanoi") == 1.5f);
  CHECK(w.count("stall") == 1);  // "stall" and "stalled" share a stem
  std::map<std::string, float> e;
  for (const auto& t : f.entities) e[t.term] = t.weight;
  CHECK(e.count("hanoi") == 1);  // capitalised inside a sentence
  CHECK(e.count("friday") == 1);
  CHECK(e.count("talk") == 0);   // entities are not stemmed
  CHECK(e.count("talks") == 0);  // sentence-initial only, never mid-sentence
  CHECK_FALSE(f.shingles.empty());
}

TEST_CASE("features: terms and entities come sorted by their strings") {
  // Words met in a different order first (the extractor's slots follow
  // the order it met them), sharing 8-byte prefixes ("internat...",
  // "abcdefgh..."), shorter than 8 bytes, and one a prefix of another.
  const Article first = MakeArticle(
      "first", "Zebra crossing",
      "Zurich and Internationally known Internet firms met Abcdefghij "
      "and Abcdefgh in York.");
  const Article a = MakeArticle(
      "a", "Internationalists meet internationals",
      "The International Union met Internationally minded Abcdefghik, "
      "Abcdefghij, Abcdefgh and Abc on Zebra Island with Intern staff and "
      "the Internet team from York and Zurich, internationally.");
  auto extractor = FeatureExtractor::Create(FeatureOptions{}, {});
  REQUIRE(extractor.ok());
  (void)(*extractor)->Extract(first);
  const ArticleFeatures f = (*extractor)->Extract(a);
  auto strictly_sorted = [](const std::vector<WeightedTerm>& terms) {
    for (size_t i = 1; i < terms.size(); ++i) {
      if (!(terms[i - 1].term < terms[i].term)) return false;
    }
    return true;
  };
  REQUIRE(f.terms.size() >= 10);
  REQUIRE(f.entities.size() >= 8);
  CHECK(strictly_sorted(f.terms));
  CHECK(strictly_sorted(f.entities));
}

TEST_CASE("features: many terms, random order, still sorted by string") {
  // Articles of 50 to 800 words built from a few syllables, so that many
  // words share their first one, two or eight bytes; some capitalised
  // (entities). Each article's terms and entities must come in strict
  // string order, whatever the order the extractor met the words in.
  std::mt19937 rng(17);
  const std::vector<std::string> syllables = {"st", "in",   "ter", "con", "a",
                                              "na", "tion", "al",  "ly",  "s"};
  auto extractor = FeatureExtractor::Create(FeatureOptions{}, {});
  REQUIRE(extractor.ok());
  size_t most_terms = 0, most_entities = 0;
  for (int round = 0; round < 30; ++round) {
    std::string text;
    const size_t words = 50 + rng() % 750;
    for (size_t w = 0; w < words; ++w) {
      std::string word;
      const size_t parts = 2 + rng() % 5;
      for (size_t k = 0; k < parts; ++k) word += syllables[rng() % 10];
      if (rng() % 4 == 0) word[0] = static_cast<char>(word[0] - 'a' + 'A');
      text += (w % 12 == 11 ? ". " : " ") + word;
    }
    const ArticleFeatures f =
        (*extractor)
            ->Extract(
                MakeArticle("r" + std::to_string(round), "Word study", text));
    for (const auto* list : {&f.terms, &f.entities}) {
      for (size_t i = 1; i < list->size(); ++i) {
        INFO("round " << round << ": " << (*list)[i - 1].term << " then "
                      << (*list)[i].term);
        REQUIRE((*list)[i - 1].term < (*list)[i].term);
      }
    }
    most_terms = std::max(most_terms, f.terms.size());
    most_entities = std::max(most_entities, f.entities.size());
  }
  CHECK(most_terms >= 200);  // both bucket widths ran
  CHECK(most_entities >= 24);
}

// The extractor reuses its token buffer from article to article and drops
// it after one that grew it past 1 MiB; the features of the next article
// are as they were.
TEST_CASE("features: an article after a huge one is extracted as before") {
  const Article normal = MakeArticle(
      "n", "Harbour budget approved",
      "Advertisement\nThe council in Leith approved a new budget for the "
      "harbour on Tuesday.\nIt will take effect in March.");
  Article huge = MakeArticle("h", "A very long report", "");
  while (huge.text.size() < (size_t{3} << 20)) {
    huge.text += "Word after word after word in Glasgow. ";
  }
  auto extractor = FeatureExtractor::Create(FeatureOptions{}, {});
  REQUIRE(extractor.ok());
  const ArticleFeatures before = (*extractor)->Extract(normal);
  const ArticleFeatures big = (*extractor)->Extract(huge);
  CHECK(big.shingles.size() > 5);
  const ArticleFeatures after = (*extractor)->Extract(normal);
  CHECK(after.shingles == before.shingles);
  CHECK(after.removed_lines == before.removed_lines);
  REQUIRE(after.terms.size() == before.terms.size());
  for (size_t k = 0; k < before.terms.size(); ++k) {
    CHECK(after.terms[k].term == before.terms[k].term);
    CHECK(after.terms[k].weight == before.terms[k].weight);
  }
  REQUIRE(after.entities.size() == before.entities.size());
  CHECK(before.removed_lines == 1);
  CHECK_FALSE(before.terms.empty());
}

TEST_CASE("features: the body's lead weighs more than the rest") {
  // Tokens 0-11: A ferry left Oslo at dawn | on Monday A ferry left Oslo.
  // A lead of 6 tokens holds the first "ferry", "left", "Oslo" and "dawn".
  const Article a = MakeArticle(
      "a", "", "A ferry left Oslo at dawn on Monday. A ferry left Oslo.");
  FeatureOptions options;
  options.lead_tokens = 6;
  options.lead_weight = 1.75;
  auto weights = [&](bool entities) {
    auto extractor = FeatureExtractor::Create(options, {});
    REQUIRE(extractor.ok());
    const ArticleFeatures f = (*extractor)->Extract(a);
    std::map<std::string, float> w;
    for (const auto& t : entities ? f.entities : f.terms) w[t.term] = t.weight;
    return w;
  };
  const std::map<std::string, float> lead = weights(false);
  CHECK(lead.at("ferri") == 1.75f + 1.0f);
  CHECK(lead.at("left") == 1.75f + 1.0f);
  CHECK(lead.at("oslo") == 1.75f + 1.0f);
  CHECK(lead.at("dawn") == 1.75f);
  CHECK(lead.at("monday") == 1.0f);  // token 7, after the lead
  const std::map<std::string, float> entities = weights(true);
  CHECK(entities.at("oslo") == 2.0f);  // entities are not lead-weighted
  CHECK(entities.at("monday") == 1.0f);

  options.lead_tokens = 0;  // no lead: every body occurrence weighs 1
  const std::map<std::string, float> flat = weights(false);
  CHECK(flat.at("ferri") == 2.0f);
  CHECK(flat.at("oslo") == 2.0f);
  CHECK(flat.at("dawn") == 1.0f);

  for (double bad : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    options.lead_weight = bad;
    CHECK_FALSE(FeatureExtractor::Create(options, {}).ok());
  }
  options.lead_weight = 1.5;
  options.lead_tokens = -1;
  CHECK_FALSE(FeatureExtractor::Create(options, {}).ok());
  options.lead_tokens = 120;
  options.title_weight = 0;
  CHECK_FALSE(FeatureExtractor::Create(options, {}).ok());
}

// ExtractInterned is Extract with the terms interned, without the strings:
// the same terms and entities, in the same order, with the same weights.
TEST_CASE("features: interned extraction equals Extract, then interning") {
  SyntheticOptions options;
  options.articles = 300;
  options.seed = 5;
  std::vector<Article> articles = GenerateCorpus(options).articles;
  // Cases the vocabulary must keep apart: a stop word capitalised, a word
  // that is also the stem of another, numbers, a Title Case headline,
  // non-Latin script, a title weight of words seen before.
  const Article odd = MakeArticle(
      "odd", "The Running Man Runs Again In 2024",
      "The run ran 2,400 metres. In Kyiv, officials of the UN and NATO "
      "said the 3.5 percent rise was run by Running Ltd. 東京 officials "
      "said \u201cnothing\u201d. Run, run, run: The end.");
  articles.push_back(odd);
  auto plain = FeatureExtractor::Create(FeatureOptions{}, articles);
  REQUIRE(plain.ok());
  auto interned = (*plain)->Clone();
  REQUIRE(interned.ok());
  auto terms = std::make_unique<TermDictionary>();
  auto entities = std::make_unique<TermDictionary>();
  size_t checked_terms = 0, checked_entities = 0;
  for (size_t i = 0; i < articles.size(); ++i) {
    if (i == articles.size() / 2) {
      // New dictionaries: ids cached for the old ones must not leak.
      terms = std::make_unique<TermDictionary>();
      entities = std::make_unique<TermDictionary>();
    }
    INFO("article " << articles[i].id);
    const ArticleFeatures expected = (*plain)->Extract(articles[i]);
    InternedTerms got;
    const std::vector<uint64_t> shingles =
        (*interned)->ExtractInterned(articles[i], *terms, *entities, &got);
    CHECK(shingles == expected.shingles);
    REQUIRE(got.term_ids.size() == expected.terms.size());
    REQUIRE(got.term_weights.size() == expected.terms.size());
    for (size_t k = 0; k < expected.terms.size(); ++k) {
      CHECK(terms->Term(got.term_ids[k]) == expected.terms[k].term);
      CHECK(got.term_weights[k] == expected.terms[k].weight);
    }
    REQUIRE(got.entity_ids.size() == expected.entities.size());
    for (size_t k = 0; k < expected.entities.size(); ++k) {
      CHECK(entities->Term(got.entity_ids[k]) == expected.entities[k].term);
      CHECK(got.entity_weights[k] == expected.entities[k].weight);
    }
    checked_terms += expected.terms.size();
    checked_entities += expected.entities.size();
  }
  CHECK(checked_terms > 10000);
  CHECK(checked_entities > 1000);
  // The odd article's features, spelled out.
  const ArticleFeatures f = (*plain)->Extract(odd);
  std::map<std::string, float> w, e;
  for (const auto& t : f.terms) w[t.term] = t.weight;
  for (const auto& t : f.entities) e[t.term] = t.weight;
  // Title: Running, Runs (2 each); body, all of it in the lead (1.5
  // each): run x5, Running ("ran" stays).
  CHECK(w.at("run") == 2.0f * 2 + 6 * 1.5f);
  CHECK(w.at("ran") == 1.5f);
  CHECK(w.at("2400") == 1.5f);
  CHECK(w.count("the") == 0);
  CHECK(e.at("running") == 1.0f);  // "Running Ltd." mid-sentence only
  CHECK(e.at("kyiv") == 1.0f);
  CHECK(e.at("nato") == 1.0f);
  CHECK(e.at("2400") == 1.0f);
  CHECK(e.count("2024") == 0);  // a Title Case headline gives no entities
  CHECK(e.count("the") == 0);
}

}  // namespace
}  // namespace storycluster
