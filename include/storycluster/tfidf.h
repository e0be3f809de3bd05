// TF-IDF weighting: document frequencies that can be saved and loaded (so a
// later run, or an incremental one, weighs terms like an earlier corpus),
// and the corpus's L2-normalised rows with sublinear tf. The plain
// reference vectorizer they are tested against is in tests/tfidf.
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

// TF-IDF rows of documents in compact form: rows `docs` of `lists`, whose
// ids come from `dictionary`, for one or more idf offsets: weight =
// (1 + ln tf) * (ln((1 + N) / (1 + df)) + offset), N and df counted over
// `docs` (plus `background` when given), then L2 normalisation.
// Vocabulary indices are given in order of first appearance over `docs`
// (in that order), so they do not depend on the dictionary's ids. The
// vectors are compressed rows sharing one index array, one value array per
// idf offset: no per-document heap objects. The work runs on `threads`
// threads (0: all cores); the result is the same for any thread count.
// When `df_out` is given it receives the corpus counts (without
// `background`).
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
