// Stage 2a of the pipeline: text normalization (typographic punctuation
// unified, Unicode NFKC case folding) and boilerplate removal (site
// furniture such as "Advertisement", "Reading Time: 3 minutes", newsletter
// promos and repeated photo captions). See docs/pipeline.md for the rules.
#ifndef STORYCLUSTER_NORMALIZE_H_
#define STORYCLUSTER_NORMALIZE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storycluster/article.h"

namespace storycluster {

// Maps text to its comparison form: curly quotes, primes and guillemets to
// ASCII quotes, the dash family to '-', then NFKC_Casefold (full-width
// letters, ligatures and compatibility forms folded, case folded). Invalid
// UTF-8 becomes U+FFFD.
//
// Thread safety: thread-safe and logically immutable.
class TextNormalizer {
 public:
  static absl::StatusOr<std::unique_ptr<TextNormalizer>> Create();
  ~TextNormalizer();

  std::string Normalize(std::string_view utf8) const;
  // Appends the normalized form of `utf8` to `*out`.
  void NormalizeTo(std::string_view utf8, std::string* out) const;

 private:
  struct Rep;
  explicit TextNormalizer(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// True when a single line matches the documented furniture pattern list
// (e.g. "Advertisement", "Reading Time: 3 minutes", "Follow X on Facebook",
// "Photo: Reuters"). Corpus-level rules are in BoilerplateFilter.
bool IsFurnitureLine(std::string_view line);

// Options for BoilerplateFilter.
struct BoilerplateOptions {
  // A line repeated in at least this many articles of the same source is
  // site furniture. Default: 3. REQUIRES: >= 2. Lines are compared after
  // ASCII lower-casing, digit folding and whitespace collapsing.
  int min_source_docs = 3;
  // Lines with more words than this are never removed by repetition,
  // pattern or caption rules (real paragraphs are long). Default: 40.
  int max_furniture_words = 40;
  // Lines of at most this many words that do not end a sentence (no final
  // . ! ? quote or CJK full stop) are dropped as widget fragments ("Slow",
  // "1.25x", "Select Voice"). Default: 5. 0 disables the rule.
  int fragment_words = 5;
  // Apply the built-in pattern list and tail markers. Default: true.
  bool use_patterns = true;
};

// Which rule removed a line.
enum class BoilerplateRule {
  kPattern,            // matched the furniture pattern list
  kTail,               // at or after a tail marker such as "Read Next:"
  kCaption,            // a photo caption with a credit ("Photo: AFP")
  kRepeatedInArticle,  // a repeat of an earlier line of the same article
  kCorpusRepeat,       // repeated across articles of the same source
  kFragment,           // a short non-sentence fragment
};
std::string_view BoilerplateRuleName(BoilerplateRule rule);

// The body of an article with furniture removed, and what was removed.
struct CleanText {
  std::string text;  // kept lines, joined by '\n'
  struct Removed {
    std::string line;
    BoilerplateRule rule;
  };
  std::vector<Removed> removed;
};

// Removes boilerplate lines from article bodies, using the pattern list and
// line frequencies learned from a corpus.
//
// Thread safety: thread-safe and logically immutable after Create().
class BoilerplateFilter {
 public:
  // Learns per-source line frequencies from `corpus` (which may be empty),
  // on `threads` threads (0: all cores); the filter is the same for any
  // thread count.
  static absl::StatusOr<std::unique_ptr<BoilerplateFilter>> Create(
      const BoilerplateOptions& options, absl::Span<const Article> corpus,
      int threads = 1);
  ~BoilerplateFilter();

  CleanText Clean(const Article& article) const;

 private:
  friend class BoilerplateLearner;
  struct Rep;
  explicit BoilerplateFilter(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// Learns a BoilerplateFilter one article at a time, for corpora that are
// streamed rather than held. Learners of parts of a corpus can be merged;
// the filter does not depend on how the corpus was split or ordered.
//
// Thread safety: not thread-safe; one learner per thread.
class BoilerplateLearner {
 public:
  explicit BoilerplateLearner(const BoilerplateOptions& options);
  ~BoilerplateLearner();
  BoilerplateLearner(BoilerplateLearner&&) noexcept;
  BoilerplateLearner& operator=(BoilerplateLearner&&) noexcept;

  void Add(const Article& article);
  // Adds the counts of `other`, which must have the same options, on up to
  // `threads` threads (0: all cores).
  void Merge(const BoilerplateLearner& other, int threads = 1);
  absl::StatusOr<std::unique_ptr<BoilerplateFilter>> Build() const;

 private:
  struct Counts;
  BoilerplateOptions options_;
  std::unique_ptr<Counts> counts_;
};

}  // namespace storycluster

#endif  // STORYCLUSTER_NORMALIZE_H_
