// Stage 3 of the pipeline: per-article features. Word shingles (XXH3 under a
// fixed seed) for copy detection, and weighted terms for TF-IDF event and
// storyline similarity. Boilerplate is removed before either is computed.
#ifndef STORYCLUSTER_FEATURES_H_
#define STORYCLUSTER_FEATURES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storycluster/article.h"
#include "storycluster/normalize.h"
#include "storycluster/shingle.h"
#include "storycluster/tokenize.h"

namespace storycluster {

class TermDictionary;  // storycluster/corpus.h
struct InternedTerms;  // storycluster/corpus.h

struct FeatureOptions {
  // Words per shingle. Default: 5. REQUIRES: 1 <= shingle_size <= 16.
  int shingle_size = 5;
  // Weight of a title term relative to a body term. Default: 2.0.
  double title_weight = 2.0;
  // The lead: a content term among the first `lead_tokens` tokens of the
  // body (after boilerplate removal) weighs `lead_weight` body terms. News
  // reports put the event in the first sentences and background further
  // down. Entity terms are not lead-weighted. Defaults: 120 tokens, 1.5;
  // 0 tokens or a weight of 1 turns the lead off. See docs/parameters.md.
  int lead_tokens = 120;
  double lead_weight = 1.5;
  // Compute weighted terms (for events and storylines). Copy detection
  // alone (storycluster dedup) needs only shingles. Default: true.
  bool terms = true;
  // Reduce terms to their Snowball (English) stems, so "talks", "talked"
  // and "talking" are one term. Entities are not stemmed. Default: true.
  bool stem = true;
  BoilerplateOptions boilerplate;
};

// A term with its weight (term frequency, title-boosted) in one article.
struct WeightedTerm {
  std::string term;
  float weight = 0;
};

// Features of one article.
struct ArticleFeatures {
  std::vector<uint64_t> shingles;   // sorted, unique XXH3 shingle hashes
  std::vector<WeightedTerm> terms;  // content terms, sorted by term
  // Entity-like terms (capitalised words inside sentences, acronyms,
  // numbers), case-folded, sorted by term: the names, places and figures
  // that tell two events of the same kind apart.
  std::vector<WeightedTerm> entities;
  size_t removed_lines = 0;  // boilerplate lines dropped
};

// Computes features for a corpus: learns the boilerplate filter from it,
// then cleans, tokenizes and featurizes each article.
//
// Thread safety: not thread-safe (owns a Tokenizer); one per thread. Clone()
// gives another thread its own extractor that shares the learned
// boilerplate filter (immutable), so the corpus is read once.
class FeatureExtractor {
 public:
  static absl::StatusOr<std::unique_ptr<FeatureExtractor>> Create(
      const FeatureOptions& options, absl::Span<const Article> corpus);
  // The same from an already learned filter.
  static absl::StatusOr<std::unique_ptr<FeatureExtractor>> FromFilter(
      const FeatureOptions& options,
      std::shared_ptr<const BoilerplateFilter> boilerplate);
  ~FeatureExtractor();

  // An extractor with the same options and boilerplate filter and its own
  // per-thread state.
  absl::StatusOr<std::unique_ptr<FeatureExtractor>> Clone() const;

  ArticleFeatures Extract(const Article& article);

  // Extract followed by InternTerms(features, terms, entities, out) without
  // the term strings: returns the shingles and fills `out` with the ids
  // and weights of the terms and entities, in Extract's order. Each
  // distinct word is looked up in `terms`/`entities` once per extractor
  // (they are locked); REQUIRES: the dictionaries outlive the calls that
  // use them, and each is used with one role (terms or entities).
  std::vector<uint64_t> ExtractInterned(const Article& article,
                                        TermDictionary& terms,
                                        TermDictionary& entities,
                                        InternedTerms* out);

 private:
  struct Rep;
  explicit FeatureExtractor(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace storycluster

#endif  // STORYCLUSTER_FEATURES_H_
