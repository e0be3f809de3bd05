// Stage 2 of the pipeline, text: typographic punctuation unified and
// Unicode NFKC case folding; site furniture (lines that are not reporting:
// "Advertisement", newsletter promos, repeated photo captions) removed;
// then word segmentation with byte offsets into the original.
// docs/pipeline.md lists the furniture rules.
#ifndef STORYCLUSTER_TEXT_H_
#define STORYCLUSTER_TEXT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storycluster/article.h"

namespace storycluster {

// -------------------------------------------------------------------------
// Normalization and site furniture.
//
// Text normalization (typographic punctuation unified, Unicode NFKC case
// folding) and site furniture removal ("Advertisement", "Reading Time: 3
// minutes", newsletter promos, repeated photo captions).

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
// "Photo: Reuters"). Corpus-level rules are in FurnitureFilter.
bool IsFurnitureLine(std::string_view line);

// Options for FurnitureFilter.
struct FurnitureOptions {
  // A line repeated in at least this many articles of the same source is
  // site furniture. Default: 3. REQUIRES: >= 2. Lines are compared after
  // ASCII lower-casing, digit folding and whitespace collapsing.
  int min_source_docs = 3;
  // A repeated line that is a sentence of reporting (8 or more words,
  // ending a sentence) is furniture only if it is also in at least this
  // share of its source's articles: a story's updates and copies on one
  // outlet keep a few paragraphs verbatim, while an outlet's own lines are
  // in much of its output. Default: 0.01 (docs/pipeline.md). REQUIRES: in
  // [0, 1].
  double sentence_source_share = 0.01;
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
enum class FurnitureRule {
  kPattern,            // matched the furniture pattern list
  kTail,               // at or after a tail marker such as "Read Next:"
  kCaption,            // a photo caption with a credit ("Photo: AFP")
  kRepeatedInArticle,  // a repeat of an earlier line of the same article
  kCorpusRepeat,       // repeated across articles of the same source
  kFragment,           // a short non-sentence fragment
};
std::string_view FurnitureRuleName(FurnitureRule rule);

// The body of an article with furniture removed, and what was removed.
struct CleanText {
  std::string text;  // kept lines, joined by '\n'
  struct Removed {
    std::string line;
    FurnitureRule rule;
  };
  std::vector<Removed> removed;
};

// Removes furniture lines from article bodies, using the pattern list and
// line frequencies learned from a corpus.
//
// Thread safety: thread-safe and logically immutable after Create().
class FurnitureFilter {
 public:
  // Learns per-source line frequencies from `corpus` (which may be empty),
  // on `threads` threads (0: all cores); the filter is the same for any
  // thread count.
  static absl::StatusOr<std::unique_ptr<FurnitureFilter>> Create(
      const FurnitureOptions& options, absl::Span<const Article> corpus,
      int threads = 1);
  ~FurnitureFilter();

  CleanText Clean(const Article& article) const;

 private:
  friend class FurnitureLearner;
  struct Rep;
  explicit FurnitureFilter(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// Learns a FurnitureFilter one article at a time, for corpora that are
// streamed rather than held. Learners of parts of a corpus can be merged;
// the filter does not depend on how the corpus was split or ordered.
//
// Thread safety: not thread-safe; one learner per thread.
class FurnitureLearner {
 public:
  explicit FurnitureLearner(const FurnitureOptions& options);
  ~FurnitureLearner();
  FurnitureLearner(FurnitureLearner&&) noexcept;
  FurnitureLearner& operator=(FurnitureLearner&&) noexcept;

  void Add(const Article& article);
  // Adds the counts of `other`, which must have the same options, on up to
  // `threads` threads (0: all cores).
  void Merge(const FurnitureLearner& other, int threads = 1);
  absl::StatusOr<std::unique_ptr<FurnitureFilter>> Build() const;

 private:
  struct Counts;
  FurnitureOptions options_;
  std::unique_ptr<Counts> counts_;
};

// -------------------------------------------------------------------------
// Tokens.
//
// Word segmentation with ICU's BreakIterator (dictionary-based for
// Chinese, Japanese, Thai), URLs kept whole, numbers marked, English stop
// words flagged, and byte offsets into the original.

enum class TokenKind : uint8_t {
  kWord,         // letters (Latin, Cyrillic, Hangul, Thai words, ...)
  kNumber,       // digits, with group separators removed ("1,000" -> "1000")
  kIdeographic,  // Han or Kana words from the dictionary segmenter
  kUrl,          // http(s):// or www. address, ASCII-lowercased, kept whole
};

// One token: its normalized text (TextNormalizer form) and the byte range
// [begin, end) of the original UTF-8 text it came from.
struct Token {
  std::string text;
  uint32_t begin = 0;
  uint32_t end = 0;
  TokenKind kind = TokenKind::kWord;
  bool stop_word = false;  // an English function word ("the", "of", ...)
};

// A Token whose text is a span of its TokenList's buffer.
struct PackedToken {
  uint32_t text_begin = 0;  // in TokenList::text (url_text for a URL)
  uint32_t text_size = 0;
  uint32_t begin = 0;  // byte range [begin, end) of the original text
  uint32_t end = 0;
  TokenKind kind = TokenKind::kWord;
  bool stop_word = false;
};

// The tokens of a text in flat storage, for the feature stage (no string
// per token). `text` holds the normalized text of every non-URL token, each
// followed by U+001F (unit separator, never inside a token), in token
// order: exactly the form word shingles are hashed in (features.h), so a
// shingle is a span of it. URL texts are kept apart in `url_text`.
struct TokenList {
  std::string text;
  std::string url_text;
  std::vector<PackedToken> tokens;

  size_t size() const { return tokens.size(); }
  std::string_view TextOf(const PackedToken& e) const {
    const std::string& s = e.kind == TokenKind::kUrl ? url_text : text;
    return std::string_view(s).substr(e.text_begin, e.text_size);
  }
  void clear() {
    text.clear();
    url_text.clear();
    tokens.clear();
  }
  // Bytes the buffers hold (their capacity), for callers that reuse a
  // list and drop it when one text grew it too large.
  size_t buffer_bytes() const {
    return text.capacity() + url_text.capacity() +
           tokens.capacity() * sizeof(PackedToken);
  }
};

struct TokenizerOptions {
  // Emit URL tokens (else URLs are dropped). Default: true.
  bool keep_urls = true;
  // Segment pure-ASCII runs (between white space) with a direct
  // implementation of ICU's word rules for ASCII instead of ICU itself;
  // the tokens are identical (tested), only faster. Default: true.
  bool fast_ascii = true;
  // Flag English stop words (Token::stop_word). Copy detection alone does
  // not need them. Default: true.
  bool mark_stop_words = true;
};

// True when `normalized` (case-folded) is in the English stop-word list.
bool IsStopWord(std::string_view normalized);

// Splits text into tokens. Texts over 4 GiB are truncated at 4 GiB.
//
// Thread safety: not thread-safe (it owns a stateful ICU BreakIterator);
// use one Tokenizer per thread.
class Tokenizer {
 public:
  static absl::StatusOr<std::unique_ptr<Tokenizer>> Create(
      TokenizerOptions options = {});
  ~Tokenizer();

  std::vector<Token> Tokenize(std::string_view utf8);
  // Appends tokens to `*out`, adding `offset` to their byte ranges.
  void TokenizeTo(std::string_view utf8, uint32_t offset,
                  std::vector<Token>* out);
  // The same into flat storage; the tokens are those of the vector form.
  void TokenizeTo(std::string_view utf8, uint32_t offset, TokenList* out);

 private:
  struct Rep;
  explicit Tokenizer(std::unique_ptr<Rep> rep);
  // Runs ICU's word iterator over `text` (which starts at byte `base` of
  // the whole input) and passes each word segment to `emit`.
  template <typename Emit>
  void SegmentWithIcu(std::string_view text, size_t base, Emit& emit);
  std::unique_ptr<Rep> rep_;
};

}  // namespace storycluster

#endif  // STORYCLUSTER_TEXT_H_
