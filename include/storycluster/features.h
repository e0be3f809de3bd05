// Stage 3 of the pipeline, features: word shingles and their MinHash
// signatures for copy detection, weighted content and entity terms for
// events and storylines, the compact form a large corpus is kept in
// (CorpusFeatures), and TF-IDF weighting of its terms.
#ifndef STORYCLUSTER_FEATURES_H_
#define STORYCLUSTER_FEATURES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storycluster/article.h"
#include "storycluster/text.h"

namespace storycluster {

// -------------------------------------------------------------------------
// Shingles.
//
// Word shingles: every run of k consecutive tokens of an article, hashed
// with XXH3-64 under a fixed seed. The sorted, unique hash set is the input
// of MinHash (below) and of exact Jaccard verification.

// Seed of the shingle hash. Part of the signature format: changing it
// changes every persisted shingle and signature value (pinned by golden
// tests in tests/3_features/).
inline constexpr uint64_t kShingleSeed = 0x73746f7279636c75ULL;  // "storyclu"

// Default words per shingle; docs/parameters.md explains the choice.
inline constexpr int kDefaultShingleSize = 5;

// Hashes of the word k-shingles of `tokens` (URL tokens skipped), sorted
// and unique. Each shingle is the token texts joined by U+001F, hashed with
// XXH3_64bits_withSeed(kShingleSeed). A text shorter than k words gives one
// shingle of all its words; no words give an empty set.
// REQUIRES: k >= 1.
std::vector<uint64_t> ShingleHashes(absl::Span<const Token> tokens, int k);
// The same for tokens [first, last) of `tokens`, hashed in place.
std::vector<uint64_t> ShingleHashes(const TokenList& tokens, size_t first,
                                    size_t last, int k);

// Exact Jaccard similarity |a ∩ b| / |a ∪ b| of two sorted unique sets
// (0 when both are empty).
double ExactJaccard(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b);

// -------------------------------------------------------------------------
// MinHash signatures.
//
// MinHash signatures of shingle sets by one-permutation hashing (OPH) with
// optimal densification: one hash per shingle instead of one per shingle
// and per signature position. docs/signatures.md specifies the format.

// Version of the signature format (hashing, binning, densification). Bump
// it whenever any signature value could change; golden tests pin version 1.
inline constexpr uint32_t kSignatureFormatVersion = 1;
inline constexpr uint64_t kMinHashSeed = 0x6d696e6861736831ULL;  // "minhash1"
// Value of every position of the signature of an empty set.
inline constexpr uint32_t kEmptySignatureValue = 0xFFFFFFFFu;

struct MinHashOptions {
  // Values per signature. Default: 128. REQUIRES: 1 <= num_hashes <= 65536.
  uint32_t num_hashes = 128;
  // Seed of the per-shingle re-hash and of densification. Default:
  // kMinHashSeed. Signatures are comparable only under the same seed.
  uint64_t seed = kMinHashSeed;
};

// What a signature was computed under; stored with persisted signatures.
struct SignatureFormat {
  uint32_t version = kSignatureFormatVersion;
  uint32_t num_hashes = 128;
  uint64_t seed = kMinHashSeed;
  friend bool operator==(const SignatureFormat&,
                         const SignatureFormat&) = default;
};

// Computes signatures.
//
// Each shingle hash h is re-hashed, x = XXH3_64(h, seed); its high 32 bits
// choose a bin (multiply-shift onto [0, num_hashes)), its low 32 bits are
// the value; a bin keeps its minimum value. Empty bins then copy the value
// of a non-empty bin chosen by a seeded probe sequence (Shrivastava, "Optimal
// Densification for Fast and Accurate Minwise Hashing", ICML 2017), which
// keeps Pr[sig_a[i] == sig_b[i]] = Jaccard(a, b).
//
// Thread safety: thread-safe and logically immutable.
class MinHasher {
 public:
  static absl::StatusOr<std::unique_ptr<MinHasher>> Create(
      MinHashOptions options = {});

  SignatureFormat format() const { return format_; }
  uint32_t num_hashes() const { return format_.num_hashes; }

  // Writes the signature of `shingles` (any order, duplicates allowed) to
  // `out`. An empty set gives kEmptySignatureValue everywhere.
  // REQUIRES: out.size() == num_hashes().
  void Sign(absl::Span<const uint64_t> shingles,
            absl::Span<uint32_t> out) const;
  std::vector<uint32_t> Sign(absl::Span<const uint64_t> shingles) const;

 private:
  explicit MinHasher(SignatureFormat format) : format_(format) {}
  SignatureFormat format_;
};

// -------------------------------------------------------------------------
// Per-article features.
//
// Word shingles (XXH3 under a fixed seed) for copy detection, and weighted
// terms for TF-IDF event and storyline similarity. Site furniture is
// removed before either is computed.

class TermDictionary;  // below, with the compact storage
struct InternedTerms;  // below, with the compact storage

struct FeatureOptions {
  // Words per shingle. Default: 5. REQUIRES: 1 <= shingle_size <= 16.
  int shingle_size = 5;
  // Weight of a title term relative to a body term. Default: 2.0.
  double title_weight = 2.0;
  // The lead: a content term among the first `lead_tokens` tokens of the
  // body (after furniture removal) weighs `lead_weight` body terms. News
  // reports put the event in the first sentences and background further
  // down. Entity terms are not lead-weighted. Defaults: 120 tokens, 1.5;
  // 0 tokens or a weight of 1 turns the lead off. See docs/parameters.md.
  int lead_tokens = 120;
  double lead_weight = 1.5;
  // Compute weighted terms (for events and storylines). Copy detection
  // alone (storycluster copies) needs only shingles. Default: true.
  bool terms = true;
  // Reduce terms to their Snowball (English) stems, so "talks", "talked"
  // and "talking" are one term. Entities are not stemmed. Default: true.
  bool stem = true;
  FurnitureOptions furniture;
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
  size_t removed_lines = 0;  // furniture lines dropped
};

// Computes features for a corpus: learns the furniture filter from it,
// then cleans, tokenizes and featurizes each article.
//
// Thread safety: not thread-safe (owns a Tokenizer); one per thread. Clone()
// gives another thread its own extractor that shares the learned
// furniture filter (immutable), so the corpus is read once.
class FeatureExtractor {
 public:
  static absl::StatusOr<std::unique_ptr<FeatureExtractor>> Create(
      const FeatureOptions& options, absl::Span<const Article> corpus);
  // The same from an already learned filter.
  static absl::StatusOr<std::unique_ptr<FeatureExtractor>> FromFilter(
      const FeatureOptions& options,
      std::shared_ptr<const FurnitureFilter> furniture);
  ~FeatureExtractor();

  // An extractor with the same options and furniture filter and its own
  // per-thread state.
  absl::StatusOr<std::unique_ptr<FeatureExtractor>> Clone() const;

  ArticleFeatures Extract(const Article& article);

  // Extract with the terms interned into `terms` and `entities` (a
  // corpus's dictionaries, for CorpusFeatures::Append) without making the
  // term strings: returns the shingles and fills `out` with the ids and
  // weights of the terms and entities, in Extract's order. Each
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

// -------------------------------------------------------------------------
// Compact corpus storage.
//
// Compact storage of a corpus's features, for inputs of millions of
// articles: flat arrays instead of one heap object per article and term,
// terms interned once, and shingle sets optionally kept in a temporary file
// (they are only read again to verify copy candidates). docs/performance.md
// gives the bytes per article.

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
// unlinked temporary file (16 bytes per document stay in memory, 20 once
// the sets are in the file).
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
  // them all to the file, and every later set goes there too. Small sets
  // (at most kSmallSet shingles) stay in memory as well, in document order
  // until kSmallShingles are kept: copy detection compares a templated
  // report with dozens of its kind and reads each one's set, so in a large
  // corpus most reads are of small sets (docs/synthetic.md).
  static constexpr size_t kSmallSet = 128;
  static constexpr size_t kSmallShingles = size_t{16} << 20;  // 128 MiB
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
  // The sets of documents [first, last), one after another (document d's
  // is count(d) values long), read at once: a pass over many sets in the
  // file costs one read, not one per set. REQUIRES: first <= last <=
  // size().
  absl::StatusOr<absl::Span<const uint64_t>> GetRange(
      size_t first, size_t last, std::vector<uint64_t>* buffer) const;
  // True once the sets are in the file.
  bool in_file() const;

 private:
  // Once spilled: keeps a copy of `set` in memory if it is small.
  void KeepIfSmall(absl::Span<const uint64_t> set);

  struct Rep;                            // the sets: memory, file, writes
  std::vector<uint64_t> offsets_ = {0};  // in shingles
  std::unique_ptr<Rep> rep_;
};

// One article's terms and entities as ids of a corpus's dictionaries, with
// their weights (FeatureExtractor::ExtractInterned).
struct InternedTerms {
  std::vector<uint32_t> term_ids, entity_ids;
  std::vector<float> term_weights, entity_weights;
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
  // Appends one article: its terms and entities interned, its shingle set
  // stored. A store error is returned.
  absl::Status Append(const ArticleFeatures& features);
  // The same for an article whose terms are already interned into this
  // corpus's dictionaries (FeatureExtractor::ExtractInterned, which may
  // run on many threads at once; the appends then go in article order).
  absl::Status Append(absl::Span<const uint64_t> shingles,
                      const InternedTerms& terms);
};

// -------------------------------------------------------------------------
// TF-IDF.
//
// TF-IDF weighting: document frequencies that can be saved and loaded (so a
// later run, or an incremental one, weighs terms like an earlier corpus),
// and the corpus's L2-normalised rows with sublinear tf. The plain
// reference vectorizer they are tested against is in tests/3_features.

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
// idf offset: no per-document heap objects. When `df_out` is given it
// receives the corpus counts (without `background`).
struct TermMatrix {
  uint32_t dimension = 0;            // vocabulary size
  std::vector<uint64_t> offsets{0};  // row r: [offsets[r], offsets[r + 1])
  std::vector<uint32_t> indices;     // ascending within a row
  std::vector<std::vector<float>> values;  // values[k]: idf_offsets[k]

  size_t rows() const { return offsets.size() - 1; }
};
struct VectorizeOptions {
  // One value set per offset (TermMatrix::values). Default: {1.0}
  // (scikit-learn's smooth idf). REQUIRES: each >= 0.
  std::vector<double> idf_offsets = {1.0};
  // Document frequencies of an earlier corpus, added to the counts over
  // `docs`; not owned. Default: none.
  const DocumentFrequencies* background = nullptr;
  // Threads (0: all cores); the result is the same for any count.
  // Default: 1.
  int threads = 1;
};
absl::StatusOr<TermMatrix> VectorizeRows(const TermLists& lists,
                                         absl::Span<const uint32_t> docs,
                                         const TermDictionary& dictionary,
                                         const VectorizeOptions& options,
                                         DocumentFrequencies* df_out = nullptr);

}  // namespace storycluster

#endif  // STORYCLUSTER_FEATURES_H_
