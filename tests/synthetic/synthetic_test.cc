// The edited-copies generator (SyntheticKind::kEdited, kHeavyReuse): the
// copies, updates and hard negatives docs/synthetic.md promises.
#include "storycluster/synthetic.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace storycluster {
namespace {

SyntheticCorpus Edited(SyntheticKind kind, size_t articles, uint64_t seed) {
  SyntheticOptions options;
  options.kind = kind;
  options.articles = articles;
  options.seed = seed;
  return GenerateCorpus(options);
}

std::set<std::string> Paragraphs(const Article& a) {
  std::set<std::string> out;
  for (absl::string_view p : absl::StrSplit(a.text, "\n\n")) {
    out.insert(std::string(p));
  }
  return out;
}

TEST_CASE("synthetic: edited copies, 2 to 8 an original, within 3 days") {
  const SyntheticCorpus c = Edited(SyntheticKind::kEdited, 6000, 3);
  REQUIRE(c.articles.size() == 6000);
  REQUIRE(c.role.size() == 6000);
  std::map<uint32_t, std::vector<size_t>> members;
  for (size_t i = 0; i < c.group.size(); ++i) members[c.group[i]].push_back(i);
  size_t copies = 0, updates = 0, reprints = 0;
  for (const auto& [group, m] : members) {
    INFO("group " << group);
    // The earliest member is the original; the rest are its copies.
    const Article& original = c.articles[m.front()];
    CHECK(c.role[m.front()] != SyntheticRole::kCopy);
    CHECK(m.size() <= 9);
    for (size_t k = 1; k < m.size(); ++k) {
      const Article& copy = c.articles[m[k]];
      CHECK(c.role[m[k]] == SyntheticRole::kCopy);
      CHECK(*copy.published >= *original.published);
      CHECK(*copy.published - *original.published <= absl::Hours(72));
      ++copies;
      updates += absl::StartsWith(copy.title, "UPDATE ");
      reprints += copy.text == original.text;
    }
  }
  const double share = static_cast<double>(copies) / c.articles.size();
  CHECK(share > 0.25);
  CHECK(share < 0.35);
  CHECK(updates > 50);
  CHECK(reprints > 50);
  CHECK(reprints < copies / 5);
}

TEST_CASE("synthetic: edited copies lose paragraphs and words, keep most") {
  const SyntheticCorpus c = Edited(SyntheticKind::kEdited, 3000, 5);
  std::map<uint32_t, size_t> original_of;
  size_t edited = 0, kept_all = 0;
  double kept = 0;
  for (size_t i = 0; i < c.articles.size(); ++i) {
    auto [it, first] = original_of.emplace(c.group[i], i);
    if (first) continue;
    const Article& original = c.articles[it->second];
    const Article& copy = c.articles[i];
    if (copy.text == original.text || absl::StartsWith(copy.title, "UPDATE "))
      continue;
    ++edited;
    const std::set<std::string> a = Paragraphs(original), b = Paragraphs(copy);
    size_t same = 0;
    for (const std::string& p : b) same += a.count(p);
    kept += static_cast<double>(same) / a.size();
    kept_all += same == a.size();
    CHECK(copy.source != "");
  }
  REQUIRE(edited > 300);
  // Word replacements change most paragraphs a little: few copies keep
  // every paragraph exactly.
  CHECK(kept_all < edited / 10);
  CHECK(kept / edited > 0.1);
  CHECK(kept / edited < 0.5);
}

TEST_CASE("synthetic: templated reports and follow-ups are their own groups") {
  const SyntheticCorpus c = Edited(SyntheticKind::kEdited, 6000, 7);
  std::map<uint32_t, int> size;
  for (uint32_t g : c.group) ++size[g];
  size_t templated = 0, follow_ups = 0;
  std::map<std::string, size_t> paragraph_owner;
  for (size_t i = 0; i < c.articles.size(); ++i) {
    if (c.role[i] == SyntheticRole::kOriginal) {
      for (const std::string& p : Paragraphs(c.articles[i])) {
        paragraph_owner.emplace(p, i);
      }
    }
    if (c.role[i] == SyntheticRole::kTemplated) {
      ++templated;
      CHECK(size[c.group[i]] == 1);
    }
    if (c.role[i] == SyntheticRole::kFollowUp) {
      ++follow_ups;
      CHECK(size[c.group[i]] == 1);
      // It reuses paragraphs of one earlier story, but is not its copy.
      size_t reused = 0;
      for (const std::string& p : Paragraphs(c.articles[i])) {
        auto it = paragraph_owner.find(p);
        if (it != paragraph_owner.end() && it->second < i) ++reused;
      }
      CHECK(reused > 0);
    }
  }
  CHECK(templated > 200);
  CHECK(follow_ups > 200);
}

TEST_CASE("synthetic: heavy reuse draws sentences from a small pool") {
  SyntheticOptions options;
  options.kind = SyntheticKind::kHeavyReuse;
  options.articles = 4000;
  options.reuse_pool = 500;
  const SyntheticCorpus c = GenerateCorpus(options);
  std::map<std::string, int> uses;
  size_t originals = 0;
  for (size_t i = 0; i < c.articles.size(); ++i) {
    if (c.role[i] != SyntheticRole::kOriginal) continue;
    ++originals;
    for (absl::string_view p : absl::StrSplit(c.articles[i].text, "\n\n")) {
      for (absl::string_view s : absl::StrSplit(p, ". ")) {
        ++uses[std::string(s)];
      }
    }
  }
  REQUIRE(originals > 1000);
  // Each pooled sentence is in dozens of unrelated originals.
  int reused = 0;
  for (const auto& [s, n] : uses) reused += n >= 12;
  CHECK(reused > 300);
}

TEST_CASE("synthetic: the edited corpus is a function of its options") {
  const SyntheticCorpus a = Edited(SyntheticKind::kEdited, 500, 11);
  const SyntheticCorpus b = Edited(SyntheticKind::kEdited, 500, 11);
  const SyntheticCorpus other = Edited(SyntheticKind::kEdited, 500, 12);
  CHECK(CorpusJsonl(a) == CorpusJsonl(b));
  CHECK(CorpusLabelsTsv(a) == CorpusLabelsTsv(b));
  CHECK(CorpusJsonl(a) != CorpusJsonl(other));
}

}  // namespace
}  // namespace storycluster
