// TF-IDF weighting: document frequencies that can be saved and loaded (so a
// later run, or an incremental one, weighs terms like an earlier corpus),
// and a vectorizer producing L2-normalised sparse vectors with sublinear tf.
#ifndef STORYCLUSTER_TFIDF_H_
#define STORYCLUSTER_TFIDF_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storycluster/corpus.h"
#include "storycluster/features.h"

namespace storycluster {

// Version tag written in the first line of a saved table.
inline constexpr int kDocumentFrequencyFormatVersion = 1;

// How many documents contain each term.
//
// Thread safety: const methods may run concurrently; Add/Merge need
// exclusive access.
class DocumentFrequencies {
 public:
  // Counts one document: each distinct term of `terms` once.
  void Add(absl::Span<const WeightedTerm> terms);
  // Adds another table's counts (e.g. a saved background table).
  void Merge(const DocumentFrequencies& other);

  int64_t documents() const { return documents_; }
  size_t terms() const { return df_.size(); }
  // 0 for an unseen term.
  int64_t df(std::string_view term) const;

  // Writes "#storycluster-df\tv1\tdocuments=N" then "term<TAB>df" lines,
  // sorted by term, atomically (output.h). Terms never contain tabs or
  // newlines (they are tokens).
  absl::Status Save(const std::string& path) const;
  // Reads a saved table; errors name the file, line and problem.
  static absl::StatusOr<DocumentFrequencies> Load(const std::string& path);
  // Parses a table's text; `name` labels error messages.
  static absl::StatusOr<DocumentFrequencies> Parse(std::string_view text,
                                                   std::string_view name);
  // A table of `documents` documents with the given per-term counts.
  // REQUIRES: 1 <= count <= documents for every term.
  static DocumentFrequencies FromCounts(
      int64_t documents, absl::flat_hash_map<std::string, int64_t> counts);

 private:
  absl::flat_hash_map<std::string, int64_t> df_;
  int64_t documents_ = 0;
};

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

// The same for documents in compact form: rows `docs` of `lists`, whose ids
// come from `dictionary`. Vocabulary indices are given in order of first
// appearance over `docs` (in that order), so they do not depend on the
// dictionary's ids. The vectors are compressed rows sharing one index
// array, one value array per idf offset: no per-document heap objects.
struct TermMatrix {
  uint32_t dimension = 0;            // vocabulary size
  std::vector<uint64_t> offsets{0};  // row r: [offsets[r], offsets[r + 1])
  std::vector<uint32_t> indices;     // ascending within a row
  std::vector<std::vector<float>> values;  // values[k]: idf_offsets[k]

  size_t rows() const { return offsets.size() - 1; }
};
absl::StatusOr<TermMatrix> VectorizeRows(
    const TermLists& lists, absl::Span<const uint32_t> docs,
    const TermDictionary& dictionary, absl::Span<const double> idf_offsets,
    const DocumentFrequencies* background = nullptr, int threads = 1,
    DocumentFrequencies* df_out = nullptr);

}  // namespace storycluster

#endif  // STORYCLUSTER_TFIDF_H_
