// Tokenizer: ICU word segmentation over UTF-8 (via UText, so boundaries are
// byte offsets into the original text), URL spans kept whole, per-token
// normalization with TextNormalizer.
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/2_text/ascii_masks.h"
#include "lib/common/reused_buffers.h"
#include "lib/common/strings.h"
#include "lib/common/swar.h"
#include "storycluster/text.h"

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

// Where an address may start: "http://" or "https://" found from their
// ':' (rare in running text, so memchr skips most of it), "www." from its
// '.'; in text order.
std::vector<size_t> UrlStarts(std::string_view text) {
  std::vector<size_t> starts;
  const char* const data = text.data();
  const size_t n = text.size();
  for (const void* hit = std::memchr(data, ':', n); hit != nullptr;) {
    const size_t c = static_cast<size_t>(static_cast<const char*>(hit) - data);
    if (c + 2 < n && data[c + 1] == '/' && data[c + 2] == '/') {
      const std::string_view before = text.substr(0, c);
      if (before.ends_with("https")) {
        starts.push_back(c - 5);
      } else if (before.ends_with("http")) {
        starts.push_back(c - 4);
      }
    }
    hit = c + 1 < n ? std::memchr(data + c + 1, ':', n - c - 1) : nullptr;
  }
  const size_t schemes = starts.size();
  for (const void* hit = std::memchr(data, '.', n); hit != nullptr;) {
    const size_t d = static_cast<size_t>(static_cast<const char*>(hit) - data);
    if (text.substr(0, d).ends_with("www")) starts.push_back(d - 3);
    hit = d + 1 < n ? std::memchr(data + d + 1, '.', n - d - 1) : nullptr;
  }
  std::inplace_merge(starts.begin(),
                     starts.begin() + static_cast<ptrdiff_t>(schemes),
                     starts.end());
  return starts;
}

// Finds "http://", "https://" and "www." addresses that start a word; the
// address runs to white space or a delimiter, minus trailing punctuation.
std::vector<Span> FindUrls(std::string_view text) {
  std::vector<Span> urls;
  size_t pos = 0;
  for (size_t start : UrlStarts(text)) {
    if (start < pos) continue;  // inside the last address
    if (start > 0 && absl::ascii_isalnum(text[start - 1])) continue;
    size_t end = start;
    while (end < text.size() && !IsUrlStop(text[end])) ++end;
    while (end > start && std::string_view(".,;:!?").find(text[end - 1]) !=
                              std::string_view::npos) {
      --end;
    }
    urls.push_back({start, end});
    pos = std::max(end, start + 1);
  }
  return urls;
}

// Follows each token's text in TokenList::text.
constexpr char kTokenSeparator = '\x1f';

// ASCII lower-casing of s[from, end) in place.
void LowerAscii(std::string& s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    s[i] = static_cast<char>(c | ((static_cast<unsigned>(c - 'A') < 26u) << 5));
  }
}

// Writes the ASCII bytes src[0, n) to dst[0, n) lower-cased, eight at a
// time (SWAR). Whole words are read while `readable` (the bytes that may
// be read from `src`) allows and written regardless: `dst` needs room for
// n + 8 bytes, of which those past n are left unspecified.
void CopyLowerAscii(const char* src, size_t n, size_t readable, char* dst) {
  size_t i = 0;
  // Bytes in [0, n) are ASCII; those read past n may be anything (a carry
  // from one only reaches later bytes) and are not kept.
  const size_t wide = swar::kLittleEndian ? readable : 0;
  for (; i < n && i + 8 <= wide; i += 8) {
    uint64_t x;
    std::memcpy(&x, src + i, 8);
    x = swar::LowerAscii(x);
    std::memcpy(dst + i, &x, 8);
  }
  for (; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(src[i]);
    dst[i] =
        static_cast<char>(c | ((static_cast<unsigned>(c - 'A') < 26u) << 5));
  }
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

// The first byte at or after `pos` that is not ASCII (>= 0x80), or the
// text's size; eight bytes at a time.
size_t NextNonAscii(std::string_view text, size_t pos) {
  for (; pos + 8 <= text.size(); pos += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + pos, 8);
    if (const uint64_t high = word & swar::kHighBits; high != 0) {
      const int bit = std::endian::native == std::endian::little
                          ? std::countr_zero(high)
                          : std::countl_zero(high);
      return pos + static_cast<size_t>(bit) / 8;
    }
  }
  while (pos < text.size() && static_cast<unsigned char>(text[pos]) < 0x80) {
    ++pos;
  }
  return pos;
}

// Word segments of text[begin, end) (ASCII), with the rule status ICU's
// word iterator gives them: the ASCII subset of UAX #29 rules WB5-WB13b.
// Letters, digits and '_' always join (WB5, WB8-WB10, WB13a/b); '.' or an
// apostrophe joins letter-letter (WB6/7) and digit-digit (WB11/12); ',' and
// ';' join digit-digit only. A segment's status is that of the last rule
// ICU applies (ICU: "abc123" is a number, "123abc" a word). Its ICU twin:
// SegmentWithIcu, checked against it by tests/2_text/tokenize_test.cc on
// generated and real text.
//
// The bytes are classified 64 at a time into bit masks (ascii_masks.h).
// A joining byte is a middle byte whose neighbours qualify, found by
// shifting the letter and digit masks one byte either way; segments are
// the runs of word-or-joining bits, and their edges are the bits where
// that mask changes.
template <typename Emit>
void SegmentAscii(std::string_view text, size_t begin, size_t end, Emit& emit) {
  const char* const base = text.data() + begin;
  const size_t n = end - begin;
  const size_t chunks = (n + 63) / 64;
  char tail[64];
  auto classify = [&](size_t c) -> ByteClassMasks {
    if (c >= chunks) return {};
    const size_t at = c * 64;
    if (at + 64 <= n) return ClassifyBytes(base + at);
    std::memset(tail, 0, sizeof tail);  // NUL is in no class
    std::memcpy(tail, base + at, n - at);
    return ClassifyBytes(tail);
  };
  // The segment [from, to) of the region: its status comes from the last
  // rule ICU applied, i.e. from its last two characters: ending in a letter
  // is a word, in a digit a number; ending in '_' after a digit a number,
  // after a letter or another '_' a word; a lone "_" is no word.
  // (A segment ends in a letter, a digit or '_'.)
  auto finish = [&](size_t from, size_t to) {
    const char last = base[to - 1];
    int32_t status =
        absl::ascii_isdigit(last) ? UBRK_WORD_NUMBER : UBRK_WORD_LETTER;
    if (last == '_') {
      status = to - from < 2                       ? UBRK_WORD_NONE
               : absl::ascii_isdigit(base[to - 2]) ? UBRK_WORD_NUMBER
                                                   : UBRK_WORD_LETTER;
    }
    if (status != UBRK_WORD_NONE) emit(begin + from, begin + to, status);
  };
  ByteClassMasks cur = classify(0);
  uint64_t prev_letter = 0, prev_digit = 0, prev_in = 0;
  size_t open = 0;  // where the segment under way started
  for (size_t c = 0; c < chunks; ++c) {
    const ByteClassMasks next = classify(c + 1);
    const uint64_t letter_before = cur.letter << 1 | prev_letter >> 63;
    const uint64_t letter_after = cur.letter >> 1 | next.letter << 63;
    const uint64_t digit_before = cur.digit << 1 | prev_digit >> 63;
    const uint64_t digit_after = cur.digit >> 1 | next.digit << 63;
    const uint64_t joins =
        (cur.mid_letter & letter_before & letter_after) |
        ((cur.mid_letter | cur.mid_number) & digit_before & digit_after);
    const uint64_t in = cur.letter | cur.digit | cur.underscore | joins;
    for (uint64_t edges = in ^ (in << 1 | prev_in >> 63); edges != 0;
         edges &= edges - 1) {
      const int bit = std::countr_zero(edges);
      const size_t pos = c * 64 + static_cast<size_t>(bit);
      if ((in >> bit) & 1) {
        open = pos;
      } else {
        finish(open, pos);
      }
    }
    prev_letter = cur.letter;
    prev_digit = cur.digit;
    prev_in = in;
    cur = next;
  }
  if (prev_in >> 63) finish(open, n);  // a segment up to the region's end
}

// A word segment found by SegmentAscii.
struct AsciiSegment {
  uint32_t begin, end;
  int32_t rule;  // ICU rule status
};

}  // namespace

struct Tokenizer::Rep {
  TokenizerOptions options;
  std::unique_ptr<icu::BreakIterator> words;
  std::unique_ptr<TextNormalizer> normalizer;
  TokenList scratch;                   // for the std::vector<Token> form
  std::vector<AsciiSegment> segments;  // of one ASCII region
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
  TokenList& list = rep_->scratch;
  list.clear();
  TokenizeTo(utf8, offset, &list);
  out->reserve(out->size() + list.size());
  for (const PackedToken& e : list.tokens) {
    out->push_back(Token{std::string(list.TextOf(e)), e.begin, e.end, e.kind,
                         e.stop_word});
  }
  // A huge text must not leave its token list behind.
  if (list.buffer_bytes() > kMaxReusedBufferBytes) list = TokenList();
}

namespace {

// Writes the tokens of one text into a TokenList: word segments from either
// path go through OutsideUrls (segments inside an address are dropped;
// addresses before it are emitted) and Finish (classification, separator,
// entry); the paths differ in how the text is normalized (IcuSegment,
// AsciiRegion).
//
// The list's text is written through `used_`, its logical size, with room
// kept beyond it so that ASCII tokens are copied a word at a time; Done()
// cuts it back to `used_`.
class TokenWriter {
 public:
  TokenWriter(std::string_view utf8, uint32_t offset,
              const TokenizerOptions& options, TextNormalizer& normalizer,
              std::vector<AsciiSegment>& segments, TokenList* out)
      : utf8_(utf8),
        offset_(offset),
        options_(options),
        normalizer_(normalizer),
        segments_(segments),
        out_(out),
        text_(out->text),
        used_(out->text.size()),
        urls_(FindUrls(utf8)),
        clear_until_(urls_.empty() ? SIZE_MAX : 0) {}

  // An ICU segment: normalized by TextNormalizer.
  void IcuSegment(size_t b, size_t e, int32_t rule) {
    if (!OutsideUrls(b, e)) return;
    const size_t start = used_;
    text_.resize(used_);
    normalizer_.NormalizeTo(utf8_.substr(b, e - b), &text_);
    used_ = text_.size();
    Room(1);
    Finish(b, e, start, rule);
  }

  // The ASCII segments of [b, e): NFKC_Casefold of ASCII letters, digits,
  // '_' '.' ',' ';' and the apostrophe is ASCII lower-casing, and none is
  // a typographic mark. The region's segments are found first, then
  // written in one loop, with room for all of them made once: a token
  // takes its bytes and a separator, and the last copy may write 8 bytes
  // past its end.
  void AsciiRegion(size_t b, size_t e) {
    segments_.clear();
    auto collect = [this](size_t sb, size_t se, int32_t rule) {
      segments_.push_back(
          {static_cast<uint32_t>(sb), static_cast<uint32_t>(se), rule});
    };
    SegmentAscii(utf8_, b, e, collect);
    Room(e - b + segments_.size() + 8);
    out_->tokens.reserve(out_->tokens.size() + segments_.size());
    for (const AsciiSegment& segment : segments_) {
      if (!OutsideUrls(segment.begin, segment.end)) continue;
      const size_t start = used_;
      const size_t n = segment.end - segment.begin;
      CopyLowerAscii(utf8_.data() + segment.begin, n,
                     utf8_.size() - segment.begin, text_.data() + start);
      used_ += n;
      Finish(segment.begin, segment.end, start, segment.rule);
    }
  }

  // The addresses after the last segment; the text cut to its size.
  void Done() {
    EmitUrlsBefore(utf8_.size() + 1);
    text_.resize(used_);
  }

 private:
  void EmitUrlsBefore(size_t pos) {
    for (; next_url_ < urls_.size() && urls_[next_url_].begin < pos;
         ++next_url_) {
      if (!options_.keep_urls) continue;
      const Span& u = urls_[next_url_];
      PackedToken t;
      t.text_begin = static_cast<uint32_t>(out_->url_text.size());
      out_->url_text.append(utf8_.substr(u.begin, u.end - u.begin));
      LowerAscii(out_->url_text, t.text_begin);
      t.text_size = static_cast<uint32_t>(out_->url_text.size() - t.text_begin);
      t.begin = static_cast<uint32_t>(u.begin) + offset_;
      t.end = static_cast<uint32_t>(u.end) + offset_;
      t.kind = TokenKind::kUrl;
      out_->tokens.push_back(t);
    }
  }

  void Room(size_t bytes) {
    if (text_.size() < used_ + bytes) {
      text_.resize(std::max(used_ + bytes, 2 * text_.size()));
    }
  }

  // After a segment outside every address, the URLs before it are all
  // emitted and passed (next_url_ == url_cursor_); a later segment that
  // ends by the next address's start (`clear_until_`) changes neither.
  bool OutsideUrls(size_t b, size_t e) {
    if (e <= clear_until_) return true;
    while (url_cursor_ < urls_.size() && urls_[url_cursor_].end <= b) {
      ++url_cursor_;
    }
    if (url_cursor_ < urls_.size() && urls_[url_cursor_].begin < e) {
      return false;
    }
    EmitUrlsBefore(e);
    clear_until_ =
        url_cursor_ < urls_.size() ? urls_[url_cursor_].begin : SIZE_MAX;
    return true;
  }

  void Finish(size_t b, size_t e, size_t start, int32_t rule) {
    PackedToken t;
    t.begin = static_cast<uint32_t>(b) + offset_;
    t.end = static_cast<uint32_t>(e) + offset_;
    t.text_begin = static_cast<uint32_t>(start);
    if (rule < UBRK_WORD_NUMBER_LIMIT) {
      t.kind = TokenKind::kNumber;
      char* const first = text_.data() + start;
      used_ = static_cast<size_t>(
          std::remove(first, text_.data() + used_, ',') - text_.data());
    } else if (rule >= UBRK_WORD_KANA) {
      t.kind = TokenKind::kIdeographic;
    } else {
      t.kind = TokenKind::kWord;
      t.stop_word =
          options_.mark_stop_words &&
          IsStopWord(std::string_view(text_.data() + start, used_ - start));
    }
    t.text_size = static_cast<uint32_t>(used_ - start);
    text_[used_++] = kTokenSeparator;
    out_->tokens.push_back(t);
  }

  const std::string_view utf8_;
  const uint32_t offset_;
  const TokenizerOptions& options_;
  TextNormalizer& normalizer_;
  std::vector<AsciiSegment>& segments_;
  TokenList* const out_;
  std::string& text_;
  size_t used_;
  const std::vector<Span> urls_;
  size_t next_url_ = 0;    // first URL not emitted yet
  size_t url_cursor_ = 0;  // first URL that may still overlap a segment
  size_t clear_until_;
};

}  // namespace

void Tokenizer::TokenizeTo(std::string_view utf8, uint32_t offset,
                           TokenList* out) {
  if (utf8.size() > UINT32_MAX - offset) {
    utf8 = utf8.substr(0, UINT32_MAX - offset);
  }
  TokenWriter writer(utf8, offset, rep_->options, *rep_->normalizer,
                     rep_->segments, out);
  auto icu_segment = [&writer](size_t b, size_t e, int32_t rule) {
    writer.IcuSegment(b, e, rule);
  };
  if (!rep_->options.fast_ascii) {
    SegmentWithIcu(utf8, 0, icu_segment);
  } else {
    // Word boundaries never join across ASCII white space (UAX #29
    // WB3a-WB3d), so the text is segmented run by run of non-space bytes:
    // pure-ASCII runs on the fast path, the rest by ICU. White space is no
    // word character to the fast path, so consecutive ASCII runs are
    // segmented in one go, up to the run holding the next non-ASCII byte.
    const size_t n = utf8.size();
    size_t pos = 0;
    while (pos < n) {
      const size_t high = NextNonAscii(utf8, pos);
      if (high == n) {
        writer.AsciiRegion(pos, n);
        break;
      }
      size_t run_begin = high, run_end = high + 1;
      while (run_begin > pos && !IsAsciiSpace(utf8[run_begin - 1])) {
        --run_begin;
      }
      while (run_end < n && !IsAsciiSpace(utf8[run_end])) ++run_end;
      writer.AsciiRegion(pos, run_begin);
      SegmentWithIcu(utf8.substr(run_begin, run_end - run_begin), run_begin,
                     icu_segment);
      pos = run_end;
    }
  }
  writer.Done();
  // A huge ASCII region must not leave its segment list behind.
  std::vector<AsciiSegment>& segments = rep_->segments;
  if (segments.capacity() * sizeof(AsciiSegment) > kMaxReusedBufferBytes) {
    std::vector<AsciiSegment>().swap(segments);
  }
}

template <typename Emit>
void Tokenizer::SegmentWithIcu(std::string_view text, size_t base, Emit& emit) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UText, UTextCloser> ut(utext_openUTF8(
      nullptr, text.data(), static_cast<int64_t>(text.size()), &status));
  if (U_FAILURE(status)) return;
  icu::BreakIterator& words = *rep_->words;
  words.setText(ut.get(), status);
  if (U_FAILURE(status)) return;
  int32_t begin = words.first();
  for (int32_t end = words.next(); end != icu::BreakIterator::DONE;
       begin = end, end = words.next()) {
    const int32_t rule = words.getRuleStatus();
    if (rule < UBRK_WORD_NONE_LIMIT) continue;  // spaces and punctuation
    emit(base + static_cast<size_t>(begin), base + static_cast<size_t>(end),
         rule);
  }
}

}  // namespace storycluster
