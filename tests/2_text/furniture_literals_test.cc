// The furniture matcher (one Hyperscan scan for every literal) against the
// literals' plain definition: exact, prefix, suffix or substring match.
#include "lib/2_text/furniture_literals.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "lib/2_text/line_key.h"
#include "storycluster/synthetic.h"

namespace storycluster {
namespace {

// The definition, one literal at a time.
FurnitureMatch Reference(std::string_view key) {
  FurnitureMatch out;
  for (const FurnitureLiteral& literal : FurnitureLiterals()) {
    bool hit = false;
    switch (literal.anchor) {
      case FurnitureAnchor::kExact:
        hit = key == literal.text;
        break;
      case FurnitureAnchor::kPrefix:
        hit = key.starts_with(literal.text);
        break;
      case FurnitureAnchor::kSuffix:
        hit = key.ends_with(literal.text);
        break;
      case FurnitureAnchor::kContains:
        hit = key.find(literal.text) != std::string_view::npos;
        break;
    }
    if (!hit) continue;
    if (literal.group != FurnitureGroup::kTail &&
        literal.anchor != FurnitureAnchor::kContains) {
      out.anchored = true;
    }
    switch (literal.group) {
      case FurnitureGroup::kPattern:
        out.pattern = true;
        break;
      case FurnitureGroup::kCaption:
        out.caption = true;
        break;
      case FurnitureGroup::kTail:
        out.tail = true;
        break;
    }
  }
  return out;
}

void ExpectSame(const std::string& key) {
  INFO("key: \"" << key << "\"");
  const FurnitureMatch want = Reference(key);
  const FurnitureMatch got = FindFurniture(key);
  CHECK(got.pattern == want.pattern);
  CHECK(got.caption == want.caption);
  CHECK(got.tail == want.tail);
}

TEST_CASE("furniture matcher: each literal where its anchor allows") {
  size_t matched = 0;
  for (const FurnitureLiteral& literal : FurnitureLiterals()) {
    const std::string text(literal.text);
    for (const std::string& key :
         {text, "x" + text, text + "x", "the " + text + " said", text.substr(1),
          text.substr(0, text.size() - 1), text + "\n", text + " " + text,
          "\n" + text}) {
      ExpectSame(key);
    }
    matched += FindFurniture(text) != FurnitureMatch();
  }
  // Every literal matches itself.
  CHECK(matched == FurnitureLiterals().size());
}

TEST_CASE("furniture matcher: anchors hold at the key's very ends") {
  // Exact and suffix literals end the key; a final newline is not the end
  // (Hyperscan's $ alone would accept it).
  CHECK(FindFurniture("advertisement") == FurnitureMatch{.pattern = true,
                                                         .caption = false,
                                                         .tail = false,
                                                         .anchored = true});
  CHECK(FindFurniture("advertisement\n") == FurnitureMatch{});
  CHECK(FindFurniture("click to read more.\n") == FurnitureMatch{});
  CHECK(FindFurniture("x advertisement") == FurnitureMatch{});
  CHECK(
      FindFurniture("share this article") ==
      FurnitureMatch{
          .pattern = true, .caption = false, .tail = false, .anchored = true});
  CHECK(FindFurniture("people who share this article") == FurnitureMatch{});
  CHECK(FindFurniture("officials in kyiv. photo: reuters") ==
        FurnitureMatch{.pattern = false, .caption = true, .tail = false});
  CHECK(FindFurniture("related articles") ==
        FurnitureMatch{
            .pattern = true, .caption = false, .tail = true, .anchored = true});
  CHECK(
      FindFurniture("\xc2\xa9 2024 the outlet") ==
      FurnitureMatch{
          .pattern = true, .caption = false, .tail = false, .anchored = true});
  CHECK(FindFurniture("") == FurnitureMatch{});
}

TEST_CASE("furniture matcher: random keys built from literal pieces") {
  std::mt19937 rng(5);
  std::vector<std::string> pieces = {" ", "a", "the", ":", ".", "\n", "\xc2"};
  for (const FurnitureLiteral& literal : FurnitureLiterals()) {
    const std::string text(literal.text);
    pieces.push_back(text);
    pieces.push_back(text.substr(0, text.size() / 2));
    pieces.push_back(text.substr(text.size() / 2));
  }
  for (int round = 0; round < 20000; ++round) {
    std::string key;
    const size_t parts = 1 + rng() % 5;
    for (size_t i = 0; i < parts; ++i) key += pieces[rng() % pieces.size()];
    ExpectSame(key);
  }
}

TEST_CASE("furniture matcher: keys scanned together, one match each") {
  // Keys of literal pieces (no newline: keys never hold one), in batches
  // of up to 12, empty keys among them; each key's match must be the one
  // it has alone, whatever its neighbours.
  std::mt19937 rng(7);
  std::vector<std::string> pieces = {" ", "a", "the", ":", ".", "\xc2"};
  for (const FurnitureLiteral& literal : FurnitureLiterals()) {
    const std::string text(literal.text);
    pieces.push_back(text);
    pieces.push_back(text.substr(0, text.size() / 2));
    pieces.push_back(text.substr(text.size() / 2));
  }
  FurnitureKeys batch;
  size_t matched = 0;
  for (int round = 0; round < 3000; ++round) {
    batch.Clear();
    std::vector<std::string> keys(rng() % 13);
    for (std::string& key : keys) {
      const size_t parts = rng() % 4;
      for (size_t i = 0; i < parts; ++i) key += pieces[rng() % pieces.size()];
      CHECK(batch.Add(key) == static_cast<size_t>(&key - keys.data()));
    }
    batch.Scan();
    REQUIRE(batch.size() == keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      INFO("key " << i << " of " << keys.size() << ": \"" << keys[i] << "\"");
      CHECK(batch.match(i) == Reference(keys[i]));
      matched += batch.match(i) != FurnitureMatch();
    }
  }
  CHECK(matched > 1000);  // the batches hold furniture
  // Reused after a scan: the old keys are gone.
  batch.Clear();
  batch.Add("the talks resumed");
  batch.Add("advertisement");
  batch.Scan();
  CHECK(batch.match(0) == FurnitureMatch{});
  CHECK(batch.match(1) == FurnitureMatch{.pattern = true,
                                         .caption = false,
                                         .tail = false,
                                         .anchored = true});
  batch.Clear();
  batch.Scan();
  CHECK(batch.size() == 0);
}

TEST_CASE("furniture matcher: keys of generated articles' lines") {
  SyntheticOptions options;
  options.articles = 300;
  options.seed = 4;
  const SyntheticCorpus corpus = GenerateCorpus(options);
  LineKey line_key;
  size_t lines = 0, furniture = 0;
  for (const Article& a : corpus.articles) {
    for (absl::string_view line : absl::StrSplit(a.text, '\n')) {
      line_key.Set(std::string_view(line.data(), line.size()));
      const std::string key(line_key.key());
      ExpectSame(key);
      ++lines;
      furniture += FindFurniture(key) != FurnitureMatch();
    }
  }
  // The generator writes furniture lines among its sentences.
  CHECK(lines > 3000);
  CHECK(furniture > 0);
}

TEST_CASE("furniture matcher: threads scan with their own scratch") {
  const std::vector<std::string> keys = {
      "advertisement", "read more: the talks", "getty images",
      "the minister said the talks would resume", "related articles"};
  std::vector<FurnitureMatch> want;
  for (const std::string& key : keys) want.push_back(Reference(key));
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 500; ++round) {
        for (size_t i = 0; i < keys.size(); ++i) {
          wrong[t] += FindFurniture(keys[i]) != want[i];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) CHECK(wrong[t] == 0);
}

}  // namespace
}  // namespace storycluster
