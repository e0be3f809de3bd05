// The generator of realistically edited copies and their hard negatives
// (SyntheticKind::kEdited, kHeavyReuse; docs/synthetic.md). Articles are
// made story by story, each with its copies, then put in publication order.
#include "lib/synthetic/edited.h"

#include <algorithm>
#include <deque>
#include <numeric>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "lib/synthetic/vocabulary.h"

namespace storycluster {
namespace {

using namespace synthetic;  // NOLINT: the generators' shared vocabulary

using Paragraphs = std::vector<std::string>;

// One generated article before the corpus is put in time order.
struct Item {
  Article article;
  uint32_t story = 0;  // copy group, in order of generation
  SyntheticRole role = SyntheticRole::kOriginal;
};

// An outlet and the lines of its own it prints in most of its articles.
// The lines are made from its name, so no pattern list holds them.
struct Outlet {
  std::string name;
  std::vector<std::string> furniture;
};

std::vector<Outlet> MakeOutlets(Rng& rng) {
  std::vector<Outlet> outlets;
  for (const char* name : kOutlets) {
    const std::string desk = absl::AsciiStrToLower(Name(rng, 2));
    outlets.push_back(
        {name,
         {absl::StrCat("Have a story idea for the ", name, "? Our ", desk,
                       " desk reads every message sent to tips@", desk,
                       ".example"),
          absl::StrCat(name, " is published by ", Name(rng, 3),
                       " Media Partners and printed in ", Name(rng, 3))}});
  }
  return outlets;
}

// Sentences grouped into paragraphs of one to three.
Paragraphs ToParagraphs(Rng& rng, const std::vector<std::string>& sentences) {
  Paragraphs out;
  std::uniform_int_distribution<size_t> size(1, 3);
  for (size_t s = 0; s < sentences.size();) {
    const size_t n = std::min(size(rng), sentences.size() - s);
    std::vector<std::string> part(sentences.begin() + s,
                                  sentences.begin() + s + n);
    out.push_back(absl::StrJoin(part, " "));
    s += n;
  }
  return out;
}

// Templated reports: the same wording every time, other names and numbers.
std::vector<std::string> TemplatedReport(Rng& rng) {
  std::uniform_int_distribution<int> small(0, 40), big(1000, 9999);
  const std::string place = Name(rng, 3);
  switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
    case 0:
      return {absl::StrCat("Temperatures in ", place, " will reach ",
                           small(rng), " degrees on ", Pick(rng, kDays),
                           ", the weather service said."),
              absl::StrCat("Winds from the ", Pick(rng, {"north", "south"}),
                           " will blow at up to ", small(rng),
                           " kilometres an hour through the afternoon."),
              absl::StrCat("There is a ", small(rng),
                           " percent chance of rain in the evening."),
              "Drivers are advised to allow extra time on mountain roads.",
              absl::StrCat("The outlook for ", Pick(rng, kDays),
                           " is dry with light cloud over ", place, ".")};
    case 1:
      return {absl::StrCat("The ", place, " index closed at ", big(rng),
                           " points, ", Pick(rng, {"up", "down"}), " ",
                           small(rng) / 10.0, " percent."),
              absl::StrCat("Shares of ", Name(rng, 3), " Holdings led gains, ",
                           "while ", Name(rng, 3), " Group fell the most."),
              "Trading volume was in line with the thirty-day average.",
              "Analysts said investors were waiting for central bank guidance.",
              absl::StrCat("The currency traded at ", small(rng), ".",
                           small(rng), " against the dollar.")};
    default:
      return {
          absl::StrCat(Name(rng, 3), " beat ", Name(rng, 3), " ",
                       small(rng) % 6, "-", small(rng) % 4, " on ",
                       Pick(rng, kDays), " in front of ", big(rng), " fans."),
          absl::StrCat(Name(rng, 2), " ", Name(rng, 3),
                       " scored twice in the second half."),
          "The home side had more of the ball but few clear chances.",
          absl::StrCat("The result leaves them ", small(rng) % 12 + 1,
                       " points clear at the top of the table."),
          "Both teams play again next weekend."};
  }
}

// Copies go to a share of the story originals, 2 to 8 each (5 on
// average), so that `copy_fraction` of the articles are copies.
double CopiedShare(const SyntheticOptions& options) {
  const double f = std::clamp(options.copy_fraction, 0.0, 0.9);
  const double story_share =
      1 - options.templated_fraction - options.follow_up_fraction;
  return f / (5 * (1 - f) * std::max(story_share, 0.05));
}

class EditedGenerator {
 public:
  explicit EditedGenerator(const SyntheticOptions& options)
      : options_(options),
        rng_(options.seed),
        outlets_(MakeOutlets(rng_)),
        copied_share_(CopiedShare(options)) {
    if (options.kind == SyntheticKind::kHeavyReuse) MakePool();
  }

  SyntheticCorpus Run();

 private:
  double Unit() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  const Outlet& AnyOutlet() {
    return outlets_[std::uniform_int_distribution<size_t>(
        0, outlets_.size() - 1)(rng_)];
  }

  void MakePool();
  std::vector<std::string> StorySentences(const Cast& cast);
  std::string Body(const Paragraphs& paragraphs, const Outlet& outlet);
  void AddOriginal(const Cast& cast, Paragraphs paragraphs, SyntheticRole role,
                   const Outlet& outlet);
  void AddCopies(const Item& original, const Paragraphs& paragraphs,
                 const Outlet& outlet);
  Paragraphs Edit(const Paragraphs& paragraphs);
  std::string ReplaceWords(const std::string& text);

  const SyntheticOptions& options_;
  Rng rng_;
  std::vector<Outlet> outlets_;
  std::vector<std::string> pool_;  // kHeavyReuse
  std::vector<Item> items_;
  // The paragraphs of the latest story originals, the ones follow-ups
  // reuse.
  static constexpr size_t kFollowedStories = 200;
  std::deque<Paragraphs> stories_;
  // Share of story originals that get copies.
  const double copied_share_;
  absl::Time clock_ = absl::FromUnixSeconds(1735689600);  // 2025-01-01
  uint32_t groups_ = 0;
};

void EditedGenerator::MakePool() {
  const size_t size = options_.reuse_pool > 0
                          ? options_.reuse_pool
                          : std::max<size_t>(100, options_.articles / 2);
  while (pool_.size() < size) {
    const Cast cast = MakeCast(rng_);
    pool_.push_back(Fill(rng_, Pick(rng_, kTemplates), cast));
  }
}

std::vector<std::string> EditedGenerator::StorySentences(const Cast& cast) {
  if (pool_.empty()) return NewsSentences(rng_, cast, options_.body_bytes);
  std::vector<std::string> out;
  std::uniform_int_distribution<size_t> pick(0, pool_.size() - 1);
  for (size_t bytes = 0; bytes < options_.body_bytes;) {
    out.push_back(pool_[pick(rng_)]);
    bytes += out.back().size() + 1;
  }
  return out;
}

// The paragraphs with the outlet's own lines, each in most articles.
std::string EditedGenerator::Body(const Paragraphs& paragraphs,
                                  const Outlet& outlet) {
  std::vector<std::string> lines = paragraphs;
  for (const std::string& line : outlet.furniture) {
    if (Unit() < 0.8) lines.push_back(line);
  }
  return absl::StrJoin(lines, "\n\n");
}

void EditedGenerator::AddOriginal(const Cast& cast, Paragraphs paragraphs,
                                  SyntheticRole role, const Outlet& outlet) {
  clock_ += absl::Minutes(std::uniform_int_distribution<int>(10, 90)(rng_));
  Item item;
  item.article.title = Fill(
      rng_,
      Pick(rng_, {"{O} {V} {N} plan in {L}", "{P} says {N} in {L} will be {V}",
                  "{N} row: {O} {V} deal"}),
      cast);
  item.article.text = Body(paragraphs, outlet);
  item.article.source = outlet.name;
  item.article.published = clock_;
  item.story = groups_++;
  item.role = role;
  items_.push_back(std::move(item));
  if (role == SyntheticRole::kOriginal) {
    stories_.push_back(paragraphs);
    if (stories_.size() > kFollowedStories) stories_.pop_front();
    if (Unit() < copied_share_) {
      const Item original = items_.back();
      AddCopies(original, paragraphs, outlet);
    }
  }
}

std::string EditedGenerator::ReplaceWords(const std::string& text) {
  std::vector<std::string> words = absl::StrSplit(text, ' ');
  for (std::string& w : words) {
    if (Unit() >= options_.word_replace) continue;
    bool swapped = false;
    for (const auto& pair : kSynonyms) {
      if (w == pair[0]) {
        w = pair[1];
        swapped = true;
        break;
      }
    }
    if (!swapped) w = Unit() < 0.5 ? Pick(rng_, kNouns) : Pick(rng_, kVerbs);
  }
  return absl::StrJoin(words, " ");
}

// An edited copy's paragraphs: each but the first dropped with a rate
// drawn for this copy, words replaced.
Paragraphs EditedGenerator::Edit(const Paragraphs& paragraphs) {
  const double drop = Unit() * options_.max_paragraph_drop;
  Paragraphs out;
  for (size_t p = 0; p < paragraphs.size(); ++p) {
    if (p > 0 && Unit() < drop) continue;
    out.push_back(ReplaceWords(paragraphs[p]));
  }
  return out;
}

void EditedGenerator::AddCopies(const Item& original,
                                const Paragraphs& paragraphs,
                                const Outlet& outlet) {
  const int copies = std::uniform_int_distribution<int>(2, 8)(rng_);
  // Some stories are updated on their own outlet: "UPDATE 1-", "UPDATE
  // 2-", ... with the same text and a paragraph of new reporting.
  const int updates =
      Unit() < 0.3
          ? std::min(copies, std::uniform_int_distribution<int>(2, 4)(rng_))
          : 0;
  const absl::Time published = *original.article.published;
  for (int c = 0; c < copies; ++c) {
    Item item;
    item.story = original.story;
    item.role = SyntheticRole::kCopy;
    const int minutes =
        std::uniform_int_distribution<int>(5, 3 * 24 * 60)(rng_);
    item.article.published = published + absl::Minutes(minutes);
    if (c < updates) {
      Paragraphs text = paragraphs;
      Cast cast = MakeCast(rng_);
      text.push_back(absl::StrJoin(NewsSentences(rng_, cast, 200), " "));
      item.article.title =
          absl::StrCat("UPDATE ", c + 1, "-", original.article.title);
      item.article.text = Body(text, outlet);
      item.article.source = outlet.name;
      item.article.published = published + absl::Hours(c + 1);
    } else if (Unit() < options_.exact_reprints) {
      item.article.title = original.article.title;
      item.article.text = original.article.text;
      item.article.source = AnyOutlet().name;
    } else {
      const Outlet& to = AnyOutlet();
      Paragraphs text = Edit(paragraphs);
      if (Unit() < 0.7) {
        text[0] = absl::StrCat(
            absl::AsciiStrToUpper(Name(rng_, 3)), ", ",
            absl::FormatTime("%B %d", published, absl::UTCTimeZone()), " - ",
            text[0]);
      }
      const int generic = std::uniform_int_distribution<int>(0, 3)(rng_);
      for (int g = 0; g < generic; ++g) {
        text.insert(text.begin() + std::uniform_int_distribution<size_t>(
                                       0, text.size())(rng_),
                    Pick(rng_, kBoilerplate));
      }
      if (Unit() < 0.5) {
        item.article.title = Fill(rng_, "{O} {V} {N} in {L}", MakeCast(rng_));
      } else {
        std::vector<std::string> words =
            absl::StrSplit(original.article.title, ' ');
        words.resize(std::min<size_t>(
            words.size(), std::uniform_int_distribution<size_t>(3, 6)(rng_)));
        item.article.title = absl::StrJoin(words, " ");
      }
      item.article.text = Body(text, to);
      item.article.source = to.name;
    }
    items_.push_back(std::move(item));
  }
}

SyntheticCorpus EditedGenerator::Run() {
  while (items_.size() < options_.articles) {
    const double draw = Unit();
    const Outlet& outlet = AnyOutlet();
    const Cast cast = MakeCast(rng_);
    if (draw < options_.templated_fraction) {
      AddOriginal(cast, ToParagraphs(rng_, TemplatedReport(rng_)),
                  SyntheticRole::kTemplated, outlet);
    } else if (draw <
                   options_.templated_fraction + options_.follow_up_fraction &&
               !stories_.empty()) {
      // New reporting first, then 30 to 50% of an earlier story's
      // paragraphs as background, in their order.
      const Paragraphs& earlier =
          stories_[stories_.size() - 1 -
                   std::uniform_int_distribution<size_t>(
                       0, stories_.size() - 1)(rng_)];
      const double share = 0.3 + 0.2 * Unit();
      Paragraphs text = ToParagraphs(
          rng_, NewsSentences(rng_, cast, options_.body_bytes * 6 / 10));
      for (const std::string& p : earlier) {
        if (Unit() < share) text.push_back(p);
      }
      AddOriginal(cast, std::move(text), SyntheticRole::kFollowUp, outlet);
    } else {
      AddOriginal(cast, ToParagraphs(rng_, StorySentences(cast)),
                  SyntheticRole::kOriginal, outlet);
    }
  }
  items_.resize(options_.articles);
  // Publication order (ties: generation order); groups dense in that order.
  std::vector<size_t> order(items_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return *items_[a].article.published < *items_[b].article.published;
  });
  SyntheticCorpus corpus;
  std::vector<uint32_t> dense(groups_, UINT32_MAX);
  uint32_t next = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    Item& item = items_[order[k]];
    item.article.id = absl::StrCat("a", k);
    if (dense[item.story] == UINT32_MAX) dense[item.story] = next++;
    corpus.group.push_back(dense[item.story]);
    corpus.role.push_back(item.role);
    corpus.articles.push_back(std::move(item.article));
  }
  return corpus;
}

}  // namespace

SyntheticCorpus GenerateEditedCorpus(const SyntheticOptions& options) {
  return EditedGenerator(options).Run();
}

}  // namespace storycluster
