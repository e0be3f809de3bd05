// A generator of synthetic news corpora with known copy groups, for
// benchmarks and tests at any size. Originals are assembled from varied
// sentence templates with invented names, places and numbers; copies get a
// new headline, a dateline, site furniture, and dropped and reworded
// sentences. Everything is a function of the options (seeded).
#ifndef STORYCLUSTER_SYNTHETIC_H_
#define STORYCLUSTER_SYNTHETIC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "storycluster/article.h"

namespace storycluster {

enum class SyntheticKind {
  kNews,      // varied articles; copies are the only near-duplicates
  kTemplate,  // daily market reports sharing most of their words
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
};

struct SyntheticCorpus {
  std::vector<Article> articles;
  // Per article: its copy group (the index of its original's group), dense
  // in order of first appearance.
  std::vector<uint32_t> group;
};

SyntheticCorpus GenerateCorpus(const SyntheticOptions& options);

// Gold labels as TSV with header "id<TAB>event<TAB>story", where both label
// columns hold the copy group ("g<N>"), for `storycluster eval`.
std::string CorpusLabelsTsv(const SyntheticCorpus& corpus);

// The corpus as JSON Lines (id, title, text, published, source).
std::string CorpusJsonl(const SyntheticCorpus& corpus);

}  // namespace storycluster

#endif  // STORYCLUSTER_SYNTHETIC_H_
