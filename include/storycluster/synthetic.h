// A generator of synthetic news corpora with known copy groups, for
// benchmarks and tests at any size. Originals are assembled from varied
// sentence templates with invented names, places and numbers; copies get a
// new headline, a dateline, site furniture, and dropped and reworded
// sentences (SyntheticKind::kEdited models the edits of real reprints,
// docs/synthetic.md). Everything is a function of the options (seeded).
#ifndef STORYCLUSTER_SYNTHETIC_H_
#define STORYCLUSTER_SYNTHETIC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storycluster/article.h"

namespace storycluster {

enum class SyntheticKind {
  kNews,      // varied articles; copies are the only near-duplicates
  kTemplate,  // daily market reports sharing most of their words
  // The copies a user has (docs/synthetic.md): 2 to 8 copies of an
  // original within 3 days, paragraphs dropped, words replaced, datelines,
  // generic furniture lines, new or shortened headlines, exact reprints,
  // same-outlet updates, outlet furniture in no pattern list; and hard
  // negatives that are never copies: templated reports (weather, market
  // closes, match results) and follow-ups reusing an earlier story's
  // sentences as background.
  kEdited,
  // kEdited with the originals' sentences drawn from a small pool, so
  // every sentence appears in dozens of unrelated articles.
  kHeavyReuse,
};

// What a generated article is.
enum class SyntheticRole : uint8_t {
  kOriginal,   // a story's first publication
  kCopy,       // a copy (edited, reprinted or updated) of an original
  kTemplated,  // a templated report: its own group (kTemplate, kEdited)
  kFollowUp,   // a new story reusing an earlier one's sentences: own group
};

struct SyntheticOptions {
  uint64_t seed = 1;
  // Total articles (originals + copies). Default: 1000.
  size_t articles = 1000;
  SyntheticKind kind = SyntheticKind::kNews;
  // Fraction of articles that are copies of another. Default: 0.3.
  double copy_fraction = 0.3;
  // Approximate body length of an original in bytes. Default: 2500.
  size_t body_bytes = 2500;
  // Per copied sentence: probability it is dropped / reworded (a few words
  // replaced). Each copy draws its own rates up to these. Defaults: 0.15.
  double max_drop = 0.15;
  double max_reword = 0.15;

  // kEdited and kHeavyReuse (copy_fraction and body_bytes apply too).
  // Each copy drops each paragraph but its first with a probability drawn
  // up to `max_paragraph_drop`, and replaces each word with probability
  // `word_replace`. Defaults: 0.25 and 0.03.
  double max_paragraph_drop = 0.25;
  double word_replace = 0.03;
  // Share of copies that are exact reprints. Default: 0.1.
  double exact_reprints = 0.1;
  // Share of originals that are templated reports, and that are
  // follow-ups of an earlier story. Defaults: 0.05 each.
  double templated_fraction = 0.05;
  double follow_up_fraction = 0.05;
  // kHeavyReuse: sentences in the pool (0: half the number of articles).
  size_t reuse_pool = 0;
};

struct SyntheticCorpus {
  std::vector<Article> articles;
  // Per article: its copy group (the index of its original's group), dense
  // in order of first appearance.
  std::vector<uint32_t> group;
  // Per article: what it is.
  std::vector<SyntheticRole> role;
};

SyntheticCorpus GenerateCorpus(const SyntheticOptions& options);

// The name of a role in the labels file: "original", "copy", "templated",
// "follow-up".
std::string_view RoleName(SyntheticRole role);

// Gold labels as TSV with header "id<TAB>event<TAB>story<TAB>role", where
// both label columns hold the copy group ("g<N>"), for `storycluster eval`,
// and role is the article's RoleName (which articles are hard negatives).
std::string CorpusLabelsTsv(const SyntheticCorpus& corpus);

// The corpus as JSON Lines (id, title, text, published, source).
std::string CorpusJsonl(const SyntheticCorpus& corpus);

}  // namespace storycluster

#endif  // STORYCLUSTER_SYNTHETIC_H_
