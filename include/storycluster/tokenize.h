// Stage 2b of the pipeline: word segmentation with ICU's BreakIterator
// (dictionary-based for Chinese, Japanese, Thai), URLs kept whole, numbers
// marked, English stop words flagged, and byte offsets into the original.
#ifndef STORYCLUSTER_TOKENIZE_H_
#define STORYCLUSTER_TOKENIZE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace storycluster {

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

// The tokens of a text in flat storage, for the feature stage (no string
// per token). `text` holds the normalized text of every non-URL token, each
// followed by U+001F (unit separator, never inside a token), in token
// order: exactly the form word shingles are hashed in (shingle.h), so a
// shingle is a span of it. URL texts are kept apart in `url_text`.
struct TokenList {
  struct Entry {
    uint32_t text_begin = 0;  // in `text` (`url_text` for a URL)
    uint32_t text_size = 0;
    uint32_t begin = 0;  // byte range [begin, end) of the original text
    uint32_t end = 0;
    TokenKind kind = TokenKind::kWord;
    bool stop_word = false;
  };
  std::string text;
  std::string url_text;
  std::vector<Entry> tokens;

  size_t size() const { return tokens.size(); }
  std::string_view TextOf(const Entry& e) const {
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
           tokens.capacity() * sizeof(Entry);
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

#endif  // STORYCLUSTER_TOKENIZE_H_
