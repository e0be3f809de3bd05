// Tokenizer: ICU word segmentation over UTF-8 (via UText, so boundaries are
// byte offsets into the original text), URL spans kept whole, per-token
// normalization with TextNormalizer.
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/common/strings.h"
#include "storycluster/normalize.h"
#include "storycluster/tokenize.h"

namespace storycluster {
namespace {

struct UTextCloser {
  void operator()(UText* t) const { utext_close(t); }
};

struct Span {
  size_t begin, end;
};

bool IsUrlStop(char c) {
  return absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '<' ||
         c == '>' || c == '"' || c == '\'' || c == '(' || c == ')' ||
         c == '[' || c == ']' || static_cast<unsigned char>(c) >= 0x80;
}

// Finds "http://", "https://" and "www." addresses that start a word; the
// address runs to white space or a delimiter, minus trailing punctuation.
std::vector<Span> FindUrls(std::string_view text) {
  std::vector<Span> urls;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t best = std::string_view::npos;
    for (std::string_view scheme : {"http://", "https://", "www."}) {
      size_t p = pos;
      while ((p = text.find(scheme, p)) != std::string_view::npos) {
        if (p == 0 || !absl::ascii_isalnum(text[p - 1])) break;
        ++p;
      }
      best = std::min(best, p);
    }
    if (best == std::string_view::npos) break;
    size_t end = best;
    while (end < text.size() && !IsUrlStop(text[end])) ++end;
    while (end > best && std::string_view(".,;:!?").find(text[end - 1]) !=
                             std::string_view::npos) {
      --end;
    }
    urls.push_back({best, end});
    pos = std::max(end, best + 1);
  }
  return urls;
}

}  // namespace

struct Tokenizer::Rep {
  TokenizerOptions options;
  std::unique_ptr<icu::BreakIterator> words;
  std::unique_ptr<TextNormalizer> normalizer;
};

Tokenizer::Tokenizer(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Tokenizer::~Tokenizer() = default;

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::Create(
    TokenizerOptions options) {
  auto rep = std::make_unique<Rep>();
  rep->options = options;
  UErrorCode status = U_ZERO_ERROR;
  rep->words.reset(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || rep->words == nullptr) {
    return absl::InternalError(
        absl::StrCat("ICU word BreakIterator: ", u_errorName(status)));
  }
  auto normalizer = TextNormalizer::Create();
  if (!normalizer.ok()) return normalizer.status();
  rep->normalizer = std::move(normalizer).value();
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(rep)));
}

std::vector<Token> Tokenizer::Tokenize(std::string_view utf8) {
  std::vector<Token> tokens;
  TokenizeTo(utf8, 0, &tokens);
  return tokens;
}

void Tokenizer::TokenizeTo(std::string_view utf8, uint32_t offset,
                           std::vector<Token>* out) {
  if (utf8.size() > UINT32_MAX - offset)
    utf8 = utf8.substr(0, UINT32_MAX - offset);
  const std::vector<Span> urls = FindUrls(utf8);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UText, UTextCloser> text(utext_openUTF8(
      nullptr, utf8.data(), static_cast<int64_t>(utf8.size()), &status));
  if (U_FAILURE(status)) return;
  icu::BreakIterator& words = *rep_->words;
  words.setText(text.get(), status);
  if (U_FAILURE(status)) return;
  size_t next_url = 0;
  auto emit_urls_before = [&](size_t pos) {
    for (; next_url < urls.size() && urls[next_url].begin < pos; ++next_url) {
      if (!rep_->options.keep_urls) continue;
      const Span& u = urls[next_url];
      Token t;
      t.text = absl::AsciiStrToLower(AV(utf8.substr(u.begin, u.end - u.begin)));
      t.begin = static_cast<uint32_t>(u.begin) + offset;
      t.end = static_cast<uint32_t>(u.end) + offset;
      t.kind = TokenKind::kUrl;
      out->push_back(std::move(t));
    }
  };
  size_t url_cursor = 0;  // first URL that may still overlap a segment
  int32_t begin = words.first();
  for (int32_t end = words.next(); end != icu::BreakIterator::DONE;
       begin = end, end = words.next()) {
    const int32_t rule = words.getRuleStatus();
    if (rule < UBRK_WORD_NONE_LIMIT) continue;  // spaces and punctuation
    const size_t b = static_cast<size_t>(begin), e = static_cast<size_t>(end);
    while (url_cursor < urls.size() && urls[url_cursor].end <= b) ++url_cursor;
    if (url_cursor < urls.size() && urls[url_cursor].begin < e) continue;
    emit_urls_before(e);
    Token t;
    t.begin = static_cast<uint32_t>(b) + offset;
    t.end = static_cast<uint32_t>(e) + offset;
    rep_->normalizer->NormalizeTo(utf8.substr(b, e - b), &t.text);
    if (rule < UBRK_WORD_NUMBER_LIMIT) {
      t.kind = TokenKind::kNumber;
      t.text.erase(std::remove(t.text.begin(), t.text.end(), ','),
                   t.text.end());
    } else if (rule >= UBRK_WORD_KANA) {
      t.kind = TokenKind::kIdeographic;
    } else {
      t.kind = TokenKind::kWord;
      t.stop_word = IsStopWord(t.text);
    }
    out->push_back(std::move(t));
  }
  emit_urls_before(utf8.size() + 1);
}

}  // namespace storycluster
