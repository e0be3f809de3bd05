// TextNormalizer: typographic punctuation unified, then ICU NFKC_Casefold.
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "storycluster/text.h"

namespace storycluster {

struct TextNormalizer::Rep {
  const icu::Normalizer2* nfkc_cf = nullptr;  // owned by ICU, thread-safe
};

namespace {

// Typographic characters NFKC leaves alone but that must compare equal to
// their ASCII forms (so "don’t" and "don't" give the same token).
UChar UnifyPunctuation(UChar c) {
  switch (c) {
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:  // ‘ ’ ‚ ‛
    case 0x2032:
    case 0x02BC:
    case 0x00B4:
    case 0x0060:  // ′ ʼ ´ `
      return u'\'';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:  // “ ” „ ‟
    case 0x2033:
    case 0x00AB:
    case 0x00BB:  // ″ « »
      return u'"';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:  // hyphens, en dash
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE58:  // em dash, minus
    case 0xFE63:
    case 0xFF0D:
      return u'-';
    default:
      return c;
  }
}

}  // namespace

TextNormalizer::TextNormalizer(std::unique_ptr<Rep> rep)
    : rep_(std::move(rep)) {}
TextNormalizer::~TextNormalizer() = default;

absl::StatusOr<std::unique_ptr<TextNormalizer>> TextNormalizer::Create() {
  UErrorCode status = U_ZERO_ERROR;
  auto rep = std::make_unique<Rep>();
  rep->nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status) || rep->nfkc_cf == nullptr) {
    return absl::InternalError(std::string("ICU NFKC_Casefold unavailable: ") +
                               u_errorName(status));
  }
  return std::unique_ptr<TextNormalizer>(new TextNormalizer(std::move(rep)));
}

void TextNormalizer::NormalizeTo(std::string_view utf8,
                                 std::string* out) const {
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  for (int32_t i = 0; i < s.length(); ++i) {
    const UChar c = s.charAt(i);
    const UChar u = UnifyPunctuation(c);
    if (u != c) s.setCharAt(i, u);
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString normalized = rep_->nfkc_cf->normalize(s, status);
  if (U_FAILURE(status)) normalized = s;  // only on allocation failure
  normalized.toUTF8String(*out);
}

std::string TextNormalizer::Normalize(std::string_view utf8) const {
  std::string out;
  NormalizeTo(utf8, &out);
  return out;
}

}  // namespace storycluster
