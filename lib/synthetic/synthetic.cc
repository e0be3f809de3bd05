// Synthetic corpus generator (see synthetic.h). The vocabulary of names and
// places is invented from syllables, so originals share only the template
// wording of news prose, never whole passages.
#include "storycluster/synthetic.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "lib/common/strings.h"
#include "lib/synthetic/edited.h"
#include "lib/synthetic/vocabulary.h"

namespace storycluster {
namespace synthetic {

std::string Name(Rng& rng, int syllables) {
  std::string s;
  for (int i = 0; i < syllables; ++i) s += Pick(rng, kSyllables);
  s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

Cast MakeCast(Rng& rng) {
  return {Name(rng, 2) + " " + Name(rng, 3),
          Name(rng, 2) + " " +
              Pick(rng, {"Group", "Authority", "Holdings", "Council", "Union",
                         "Institute"}),
          Name(rng, 3), Pick(rng, kNouns)};
}

std::string Fill(Rng& rng, std::string_view tmpl, const Cast& cast) {
  std::uniform_int_distribution<int> num(2, 950), pct(1, 40), year(1995, 2024);
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{' || i + 2 >= tmpl.size()) {
      out += tmpl[i];
      continue;
    }
    const char slot = tmpl[i + 1];
    i += 2;
    const bool own = std::uniform_int_distribution<int>(0, 3)(rng) > 0;
    switch (slot) {
      case 'P':
        out += own ? cast.person : Name(rng, 2) + " " + Name(rng, 2);
        break;
      case 'O':
        out += own ? cast.org : Name(rng, 3) + " Group";
        break;
      case 'L':
        out += own ? cast.place : Name(rng, 3);
        break;
      case 'N':
        out += own ? cast.noun : Pick(rng, kNouns);
        break;
      case 'V':
        out += Pick(rng, kVerbs);
        break;
      case 'R':
        out += Pick(rng, kRoles);
        break;
      case 'D':
        out += Pick(rng, kDays);
        break;
      case 'X':
      case 'Y':
        absl::StrAppend(&out, num(rng));
        break;
      case 'Z':
        absl::StrAppend(&out, pct(rng), ".", num(rng) % 10);
        break;
      case 'W':
        absl::StrAppend(&out, year(rng));
        break;
      default:
        break;
    }
  }
  return out;
}

std::vector<std::string> NewsSentences(Rng& rng, const Cast& cast,
                                       size_t bytes) {
  std::vector<std::string> sentences;
  size_t size = 0;
  while (size < bytes) {
    sentences.push_back(Fill(rng, Pick(rng, kTemplates), cast));
    size += sentences.back().size() + 1;
  }
  return sentences;
}

std::string Reword(Rng& rng, const std::string& sentence) {
  std::vector<std::string> words = absl::StrSplit(sentence, ' ');
  bool changed = false;
  for (auto& w : words) {
    for (const auto& pair : kSynonyms) {
      if (w == pair[0]) {
        w = pair[1];
        changed = true;
        break;
      }
    }
  }
  if (!changed && words.size() > 3) {
    // Swap two neighbouring words in the middle.
    const size_t i =
        std::uniform_int_distribution<size_t>(1, words.size() - 3)(rng);
    std::swap(words[i], words[i + 1]);
  }
  return absl::StrJoin(words, " ");
}

}  // namespace synthetic

namespace {

using namespace synthetic;  // NOLINT: the vocabulary of this file's generators

// A daily market report: the same sentences every day, only the figures
// and a few names change.
std::vector<std::string> MarketReport(Rng& rng, const std::string& market) {
  std::uniform_int_distribution<int> idx(1000, 9999), pct(0, 300), vol(10, 99);
  auto p = [&] { return absl::StrCat(pct(rng) / 100, ".", pct(rng) % 100); };
  return {
      absl::StrCat("The ", market, " index closed at ", idx(rng), " points on ",
                   Pick(rng, kDays), ", ", Pick(rng, {"up", "down"}), " ", p(),
                   " percent from the previous session."),
      absl::StrCat("Trading volume reached ", vol(rng),
                   " million shares, compared with the thirty-day average."),
      absl::StrCat("Banking stocks ", Pick(rng, {"gained", "lost"}), " ", p(),
                   " percent while energy shares ",
                   Pick(rng, {"rose", "slipped"}), " ", p(), " percent."),
      absl::StrCat("The currency traded at ", idx(rng) / 1000, ".", vol(rng),
                   " against the dollar in late trading."),
      "Analysts said investors were waiting for central bank guidance before "
      "taking new positions.",
      "Government bond yields were little changed across the curve.",
      absl::StrCat("The best performer of the day was ", Name(rng, 3),
                   " Holdings, while ", Name(rng, 3), " Group was the worst."),
      "Markets will reopen at nine in the morning local time.",
  };
}

}  // namespace

SyntheticCorpus GenerateCorpus(const SyntheticOptions& options) {
  if (options.kind == SyntheticKind::kEdited ||
      options.kind == SyntheticKind::kHeavyReuse) {
    return GenerateEditedCorpus(options);
  }
  Rng rng(options.seed);
  SyntheticCorpus corpus;
  const absl::Time start = absl::FromUnixSeconds(1735689600);  // 2025-01-01
  std::uniform_real_distribution<double> unit(0, 1);
  struct Original {
    size_t index;
    std::vector<std::string> sentences;
    std::string place;
  };
  std::vector<Original> originals;
  corpus.articles.reserve(options.articles);
  corpus.group.reserve(options.articles);
  const std::string market = Name(rng, 3);
  for (size_t i = 0; i < options.articles; ++i) {
    Article a;
    const bool copy = !originals.empty() && unit(rng) < options.copy_fraction;
    if (!copy) {
      const Cast cast = MakeCast(rng);
      std::vector<std::string> sentences =
          options.kind == SyntheticKind::kTemplate
              ? MarketReport(rng, market)
              : NewsSentences(rng, cast, options.body_bytes);
      a.id = absl::StrCat("a", i);
      a.title = options.kind == SyntheticKind::kTemplate
                    ? absl::StrCat(market, " market report, day ", i)
                    : Fill(rng, "{O} {V} {N} plan in {L}", cast);
      a.source = Pick(rng, kOutlets);
      a.published = start + absl::Hours(static_cast<int64_t>(i));
      std::string text;
      for (size_t s = 0; s < sentences.size(); ++s) {
        absl::StrAppend(&text, sentences[s], (s % 3 == 2) ? "\n\n" : " ");
      }
      a.text = std::move(text);
      corpus.group.push_back(static_cast<uint32_t>(originals.size()));
      corpus.role.push_back(options.kind == SyntheticKind::kTemplate
                                ? SyntheticRole::kTemplated
                                : SyntheticRole::kOriginal);
      originals.push_back({i, std::move(sentences), cast.place});
    } else {
      // Copy a recent original (wire stories are reprinted within days).
      const size_t back = std::min<size_t>(originals.size(), 50);
      const size_t which =
          originals.size() - 1 -
          std::uniform_int_distribution<size_t>(0, back - 1)(rng);
      const Original& o = originals[which];
      const Article& src = corpus.articles[o.index];
      const double drop = unit(rng) * options.max_drop;
      const double reword = unit(rng) * options.max_reword;
      a.id = absl::StrCat("a", i);
      a.title = absl::StrCat(Pick(rng, {"Update: ", "", "Report: ", ""}),
                             Reword(rng, src.title));
      a.source = Pick(rng, kOutlets);
      a.published =
          *src.published +
          absl::Minutes(std::uniform_int_distribution<int>(5, 3000)(rng));
      std::string text;
      if (unit(rng) < 0.5)
        absl::StrAppend(&text, Pick(rng, kBoilerplate), "\n\n");
      absl::StrAppend(&text, absl::AsciiStrToUpper(o.place), " (Northwire) - ");
      for (size_t s = 0; s < o.sentences.size(); ++s) {
        if (s > 0 && unit(rng) < drop) continue;
        absl::StrAppend(
            &text,
            unit(rng) < reword ? Reword(rng, o.sentences[s]) : o.sentences[s],
            (s % 3 == 2) ? "\n\n" : " ");
      }
      const int extra = std::uniform_int_distribution<int>(0, 2)(rng);
      for (int e = 0; e < extra; ++e) {
        absl::StrAppend(&text, "\n\n", Pick(rng, kBoilerplate));
      }
      a.text = std::move(text);
      corpus.group.push_back(static_cast<uint32_t>(which));
      corpus.role.push_back(SyntheticRole::kCopy);
    }
    corpus.articles.push_back(std::move(a));
  }
  return corpus;
}

std::string_view RoleName(SyntheticRole role) {
  switch (role) {
    case SyntheticRole::kOriginal:
      return "original";
    case SyntheticRole::kCopy:
      return "copy";
    case SyntheticRole::kTemplated:
      return "templated";
    case SyntheticRole::kFollowUp:
      return "follow-up";
  }
  return "original";
}

std::string CorpusLabelsTsv(const SyntheticCorpus& corpus) {
  std::string out = "id\tevent\tstory\trole\n";
  for (size_t i = 0; i < corpus.articles.size(); ++i) {
    absl::StrAppend(&out, corpus.articles[i].id, "\tg", corpus.group[i], "\tg",
                    corpus.group[i], "\t", AV(RoleName(corpus.role[i])), "\n");
  }
  return out;
}

std::string CorpusJsonl(const SyntheticCorpus& corpus) {
  std::string out;
  for (const Article& a : corpus.articles) {
    nlohmann::ordered_json j;
    j["id"] = a.id;
    j["title"] = a.title;
    j["text"] = a.text;
    j["published"] = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *a.published,
                                      absl::UTCTimeZone());
    j["source"] = a.source;
    absl::StrAppend(&out, j.dump(), "\n");
  }
  return out;
}

}  // namespace storycluster
