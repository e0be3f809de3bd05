// Compact storage of a corpus's features, for inputs of millions of
// articles: flat arrays instead of one heap object per article and term,
// terms interned once, and shingle sets optionally kept in a temporary file
// (they are only read again to verify copy candidates). docs/performance.md
// gives the bytes per article.
#ifndef STORYCLUSTER_CORPUS_H_
#define STORYCLUSTER_CORPUS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storycluster/features.h"
#include "storycluster/minhash.h"

namespace storycluster {

// Interns terms to ids. Ids are unique but neither dense nor in any
// particular order (they depend on thread timing); VectorizeRows renumbers
// them by first appearance, so results do not depend on them.
//
// Thread safety: Intern may run concurrently with Intern; Term and
// id_bound must not run concurrently with Intern.
class TermDictionary {
 public:
  TermDictionary();
  ~TermDictionary();
  TermDictionary(const TermDictionary&) = delete;
  TermDictionary& operator=(const TermDictionary&) = delete;

  uint32_t Intern(std::string_view term);
  // REQUIRES: `id` was returned by Intern.
  std::string_view Term(uint32_t id) const;
  // Every id returned so far is below this.
  uint32_t id_bound() const;
  size_t size() const;
  // Distinct for every dictionary made in the process (never reused), so
  // a cache of ids can tell which dictionary they belong to.
  uint64_t serial() const { return serial_; }

 private:
  struct Shard;
  std::unique_ptr<Shard[]> shards_;
  uint64_t serial_;
};

// Weighted terms of many documents as compressed rows: document d's terms
// are ids[offsets[d], offsets[d + 1]) with their weights, in the order they
// were appended (ArticleFeatures keeps them sorted by term).
struct TermLists {
  std::vector<uint64_t> offsets = {0};
  std::vector<uint32_t> ids;
  std::vector<float> weights;

  size_t size() const { return offsets.size() - 1; }
  absl::Span<const uint32_t> ids_of(size_t d) const {
    return absl::MakeConstSpan(ids).subspan(offsets[d],
                                            offsets[d + 1] - offsets[d]);
  }
  absl::Span<const float> weights_of(size_t d) const {
    return absl::MakeConstSpan(weights).subspan(offsets[d],
                                                offsets[d + 1] - offsets[d]);
  }
  // Appends one document. REQUIRES: ids.size() == weights.size().
  void Append(absl::Span<const uint32_t> doc_ids,
              absl::Span<const float> doc_weights);
  // Frees the storage.
  void Clear();
};

// The shingle sets of many documents, appended in order, in memory or in an
// unlinked temporary file (16 bytes per document stay in memory).
//
// Thread safety: Append needs exclusive access; Get may run concurrently
// with Get once appending is done.
class ShingleStore {
 public:
  // Keeps the sets in memory.
  ShingleStore();
  // Keeps the sets in a temporary file created in `directory` and removed
  // at once (it disappears with the process). Sets stay in memory while
  // they take at most `memory_bytes` in all; the first set past that moves
  // them all to the file, and every later set goes there too.
  static absl::StatusOr<std::unique_ptr<ShingleStore>> InTemporaryFile(
      const std::string& directory, size_t memory_bytes = 0);
  ~ShingleStore();
  ShingleStore(const ShingleStore&) = delete;
  ShingleStore& operator=(const ShingleStore&) = delete;

  absl::Status Append(absl::Span<const uint64_t> shingles);
  // Writes buffered sets to the file; Get needs it after the last Append.
  absl::Status Flush();
  size_t size() const { return offsets_.size() - 1; }
  size_t count(size_t d) const { return offsets_[d + 1] - offsets_[d]; }
  // Document d's set; the span points into `buffer` or into the store and
  // is valid until the next call with the same buffer.
  absl::StatusOr<absl::Span<const uint64_t>> Get(
      size_t d, std::vector<uint64_t>* buffer) const;
  // True once the sets are in the file.
  bool in_file() const;

 private:
  struct Rep;                            // the sets: memory, file, writes
  std::vector<uint64_t> offsets_ = {0};  // in shingles
  std::unique_ptr<Rep> rep_;
};

// The features of a corpus in compact form; document d is the d-th
// appended article.
struct CorpusFeatures {
  std::unique_ptr<ShingleStore> shingles = std::make_unique<ShingleStore>();
  std::unique_ptr<TermDictionary> term_dictionary =
      std::make_unique<TermDictionary>();
  std::unique_ptr<TermDictionary> entity_dictionary =
      std::make_unique<TermDictionary>();
  TermLists terms;     // content terms
  TermLists entities;  // entity-like terms
  // The shingle sets' MinHash signatures (size() rows of
  // signature_options.num_hashes values, row-major) when the pipeline
  // made them as it extracted the features, while the sets were at hand;
  // empty otherwise. Copy detection uses them instead of reading the sets
  // back.
  std::vector<uint32_t> signatures;
  MinHashOptions signature_options;

  size_t size() const { return terms.size(); }
};

// Interns `features`' terms and entities (on any thread) into per-document
// id and weight lists, ready for CorpusFeatures::Append.
struct InternedTerms {
  std::vector<uint32_t> term_ids, entity_ids;
  std::vector<float> term_weights, entity_weights;
};
void InternTerms(const ArticleFeatures& features, TermDictionary& terms,
                 TermDictionary& entities, InternedTerms* out);

// Appends one document (its shingles and interned terms) to `corpus`.
absl::Status AppendDocument(absl::Span<const uint64_t> shingles,
                            const InternedTerms& terms, CorpusFeatures* corpus);

}  // namespace storycluster

#endif  // STORYCLUSTER_CORPUS_H_
