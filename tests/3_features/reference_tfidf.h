// The reference TF-IDF vectorizer, for tests and benchmarks only: the plain
// definition the library's VectorizeRows must reproduce (one document at a
// time, a hash map for the vocabulary, the same weight formula from
// lib/3_features/term_weight.h), and VectorizeCorpus, which runs VectorizeRows
// over documents given as term lists.
#ifndef STORYCLUSTER_TESTS_TFIDF_REFERENCE_TFIDF_H_
#define STORYCLUSTER_TESTS_TFIDF_REFERENCE_TFIDF_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storycluster/features.h"

namespace storycluster {

// A sparse vector: indices ascending, values L2-normalised.
struct SparseTermVector {
  std::vector<uint32_t> indices;
  std::vector<float> values;
};

struct TfidfOptions {
  // weight = (1 + ln tf) * (ln((1 + N) / (1 + df)) + idf_offset), then L2
  // normalisation. 1 is scikit-learn's smooth idf; smaller values let terms
  // that nearly every document shares fade. Default: 0.2. REQUIRES: >= 0.
  double idf_offset = 0.2;
};

// Turns weighted terms into TF-IDF vectors over a growing vocabulary.
//
// Thread safety: not thread-safe (Vectorize extends the vocabulary).
class TfidfVectorizer {
 public:
  // `df` gives N and the document frequencies. Not owned; must outlive the
  // vectorizer.
  static absl::StatusOr<std::unique_ptr<TfidfVectorizer>> Create(
      const DocumentFrequencies* df, TfidfOptions options = {});

  SparseTermVector Vectorize(absl::Span<const WeightedTerm> terms);
  // Vocabulary size: every index returned so far is below it.
  uint32_t dimension() const;

 private:
  TfidfVectorizer(const DocumentFrequencies* df, TfidfOptions options)
      : df_(df), options_(options) {}
  const DocumentFrequencies* df_;
  TfidfOptions options_;
  absl::flat_hash_map<std::string, uint32_t> vocabulary_;
};

// TF-IDF vectors of a whole corpus at once, for one or more idf offsets.
// The result equals counting every document of `docs` into one
// DocumentFrequencies table (merged with `background` when given), then
// vectorizing the documents in order with one TfidfVectorizer per offset:
// the same vocabulary indices (order of first appearance) and the same
// values. The work runs on `threads` threads (0: all cores); the result is
// the same for any thread count.
struct CorpusVectors {
  uint32_t dimension = 0;  // vocabulary size
  // vectors[k][d]: document d under idf_offsets[k].
  std::vector<std::vector<SparseTermVector>> vectors;
};
// `docs` must outlive the call only. When `df_out` is given it receives the
// corpus counts (without `background`).
absl::StatusOr<CorpusVectors> VectorizeCorpus(
    absl::Span<const absl::Span<const WeightedTerm>> docs,
    absl::Span<const double> idf_offsets,
    const DocumentFrequencies* background = nullptr, int threads = 1,
    DocumentFrequencies* df_out = nullptr);

}  // namespace storycluster

#endif  // STORYCLUSTER_TESTS_TFIDF_REFERENCE_TFIDF_H_
