// Publication-time parsing: ISO 8601 dates and date-times (with offsets),
// RFC 2822 dates as found in RSS, and epoch seconds or milliseconds with
// Abseil; dates written out in English ("April 3, 2018", "26 Jul 2025",
// "10:00pm, 26 Jul 2025", "2018-04") with ICU's date parser.
#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "lib/common/strings.h"
#include "storycluster/ingest.h"

namespace storycluster {
namespace {

// Epoch values above this are taken as milliseconds: 1e11 seconds is the
// year 5138, while 1e11 ms is 1973.
constexpr double kMillisecondsAbove = 1e11;

// Tried in order; a format without an offset is read as UTC.
constexpr const char* kFormats[] = {
    "%Y-%m-%d%ET%H:%M:%E*S%Ez",
    "%Y-%m-%d%ET%H:%M:%E*S",
    "%Y-%m-%d%ET%H:%M%Ez",
    "%Y-%m-%d%ET%H:%M",
    "%Y-%m-%d %H:%M:%E*S%Ez",
    "%Y-%m-%d %H:%M:%E*S %Ez",
    "%Y-%m-%d %H:%M:%E*S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%a, %d %b %Y %H:%M:%E*S %Ez",
    "%a, %d %b %Y %H:%M:%E*S GMT",
    "%d %b %Y %H:%M:%E*S %Ez",
};

// ICU patterns of dates written out, tried in order; each must match the
// whole text. Times without a zone are read as UTC. The `day` patterns name
// a day; the others (metadata only) a month, read as its first day.
// `date_only` patterns have no time: those are looked for inside a byline
// (DateAmidTime).
struct WrittenPattern {
  const char* pattern;
  bool day;
  bool date_only;
};
constexpr WrittenPattern kWritten[] = {
    {"MMMM d, yyyy", true, true},          {"MMM d, yyyy", true, true},
    {"EEEE, MMMM d, yyyy", true, true},    {"EEE, MMM d, yyyy", true, true},
    {"d MMMM yyyy", true, true},           {"d MMM yyyy", true, true},
    {"EEEE d MMMM yyyy", true, true},      {"EEEE, d MMMM yyyy", true, true},
    {"MMMM d, yyyy h:mm a", true, false},  {"MMM d, yyyy h:mm a", true, false},
    {"MMMM d, yyyy, h:mm a", true, false}, {"MMM d, yyyy, h:mm a", true, false},
    {"h:mma, d MMM yyyy", true, false},    {"h:mm a, d MMM yyyy", true, false},
    {"h:mma, d MMMM yyyy", true, false},   {"d MMM yyyy, h:mma", true, false},
    {"d MMM yyyy h:mm a", true, false},    {"yyyy-MM", false, false},
    {"MMMM yyyy", false, false},           {"MMM yyyy", false, false},
};

// One thread's ICU formatters (SimpleDateFormat is not safe to share
// between threads), made on first use.
struct WrittenDateParsers {
  std::vector<std::unique_ptr<icu::SimpleDateFormat>> formats;
  WrittenDateParsers() {
    const icu::Locale english("en_US_POSIX");
    for (const WrittenPattern& p : kWritten) {
      UErrorCode status = U_ZERO_ERROR;
      auto format = std::make_unique<icu::SimpleDateFormat>(
          icu::UnicodeString::fromUTF8(p.pattern), english, status);
      if (U_FAILURE(status)) {
        formats.push_back(nullptr);
        continue;
      }
      format->adoptTimeZone(icu::TimeZone::createTimeZone("UTC"));
      // Strict fields (no 31 February), but case and spacing of month
      // names and am/pm markers as people write them.
      format->setLenient(false);
      format->setBooleanAttribute(UDAT_PARSE_ALLOW_WHITESPACE, true, status);
      format->setBooleanAttribute(UDAT_PARSE_MULTIPLE_PATTERNS_FOR_MATCH, false,
                                  status);
      formats.push_back(std::move(format));
    }
  }
};

// Years outside this are taken as misreadings, not publication dates.
constexpr int kFirstYear = 1900, kLastYear = 2200;

// True when `text` holds a run of exactly four digits: every pattern has a
// four-digit year, and this scan is far cheaper than ICU's parse attempts
// (about 150 us for 12 short lines without one), so lines without a year
// never reach ICU.
bool HasFourDigitRun(std::string_view text) {
  size_t run = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && absl::ascii_isdigit(text[i])) {
      ++run;
      continue;
    }
    if (run == 4) return true;
    run = 0;
  }
  return false;
}

// `format` parsed from `start` of `input`: the time, with `*end` where the
// parse stopped; nullopt when it failed or the year is out of range.
std::optional<absl::Time> ParseAt(const icu::SimpleDateFormat& format,
                                  const icu::UnicodeString& input,
                                  int32_t start, int32_t* end) {
  icu::ParsePosition position(start);
  const UDate millis = format.parse(input, position);
  if (position.getErrorIndex() >= 0) return std::nullopt;
  *end = position.getIndex();
  const absl::Time t = absl::FromUnixMillis(static_cast<int64_t>(millis));
  const int year = absl::ToCivilYear(t, absl::UTCTimeZone()).year();
  if (year < kFirstYear || year > kLastYear) return std::nullopt;
  return t;
}

std::optional<absl::Time> ParseWritten(std::string_view text, bool days_only) {
  if (text.size() < 6 || text.size() > 48 || !HasFourDigitRun(text)) {
    return std::nullopt;
  }
  thread_local WrittenDateParsers parsers;
  const icu::UnicodeString input = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  for (size_t i = 0; i < parsers.formats.size(); ++i) {
    if (parsers.formats[i] == nullptr || (days_only && !kWritten[i].day)) {
      continue;
    }
    int32_t end = 0;
    const auto t = ParseAt(*parsers.formats[i], input, 0, &end);
    if (t && end == input.length()) return t;
  }
  return std::nullopt;
}

// True when `word` (letters and digits, no separators) may stand beside
// a date in a byline: a number, a time's digits with am/pm ("51AM"), an
// am/pm marker or its letters ("p. m."), "at", or a zone abbreviation
// (2 to 4 capitals: "EDT", "GMT"). Any other word makes the line text, not
// a byline.
bool TimeLikeWord(std::string_view word) {
  size_t digits = 0;
  while (digits < word.size() && absl::ascii_isdigit(word[digits])) ++digits;
  std::string_view letters = word.substr(digits);
  if (letters.empty()) return true;
  for (char c : letters) {
    if (!absl::ascii_isalpha(c)) return false;
  }
  const std::string lower = absl::AsciiStrToLower(AV(letters));
  if (lower == "am" || lower == "pm") return true;
  if (digits > 0) return false;
  if (lower == "a" || lower == "p" || lower == "m" || lower == "at") {
    return true;
  }
  if (letters.size() < 2 || letters.size() > 4) return false;
  for (char c : letters) {
    if (!absl::ascii_isupper(c)) return false;
  }
  return true;
}

// True when `text` is empty or holds only time-like words between
// punctuation and spaces ("1: 12 PM", "| 8: 20 am", "(GMT+05: 00)").
bool TimeLike(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (!absl::ascii_isalnum(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && absl::ascii_isalnum(text[end])) ++end;
    if (!TimeLikeWord(text.substr(i, end - i))) return false;
    i = end;
  }
  return true;
}

// `line` with ordinal suffixes after day numbers removed ("May 3rd, 2013"
// to "May 3, 2013"): ICU's English patterns have no ordinal days.
std::string WithoutOrdinals(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    out.push_back(line[i]);
    if (!absl::ascii_isdigit(line[i]) || i + 2 >= line.size()) continue;
    const std::string suffix = absl::AsciiStrToLower(AV(line.substr(i + 1, 2)));
    const bool word_ends =
        i + 3 == line.size() || !absl::ascii_isalpha(line[i + 3]);
    if (word_ends && (suffix == "st" || suffix == "nd" || suffix == "rd" ||
                      suffix == "th")) {
      i += 2;
    }
  }
  return out;
}

// A byline's date with a time or zone beside it, which the whole-line
// patterns do not cover ("May 2, 2013, 1: 12 PM", "12: 52 p. m. EDT May 2,
// 2013", "May 3rd, 2013 2: 00pm EDT"): a day-naming date anywhere in the
// line, with only time-like words (TimeLike) before and after it. The
// day is taken; the time beside it is not read (its spacing and zone
// names vary too much, and a day is what the pair model weighs). ASCII
// lines only: ICU's positions count UTF-16 units.
std::optional<absl::Time> DateAmidTime(std::string_view line) {
  for (char c : line) {
    if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
  }
  const std::string text = WithoutOrdinals(line);
  if (auto t = ParseWritten(text, /*days_only=*/true)) return t;
  thread_local WrittenDateParsers parsers;
  const icu::UnicodeString input = icu::UnicodeString::fromUTF8(text);
  for (size_t start = 0; start < text.size(); ++start) {
    if (!absl::ascii_isalnum(text[start]) ||
        (start > 0 && absl::ascii_isalnum(text[start - 1]))) {
      continue;
    }
    // Words before the date must be time-like too: once one is not, no
    // later start can qualify.
    if (!TimeLike(std::string_view(text).substr(0, start))) break;
    for (size_t i = 0; i < parsers.formats.size(); ++i) {
      if (parsers.formats[i] == nullptr || !kWritten[i].day ||
          !kWritten[i].date_only) {
        continue;
      }
      int32_t parsed_end = 0;
      const auto t = ParseAt(*parsers.formats[i], input,
                             static_cast<int32_t>(start), &parsed_end);
      const size_t end = static_cast<size_t>(parsed_end);
      if (t && end > start && end <= text.size() &&
          (end == text.size() || !absl::ascii_isalnum(text[end])) &&
          TimeLike(std::string_view(text).substr(end))) {
        return t;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<absl::Time> ParseWrittenDate(std::string_view text) {
  return ParseWritten(Trim(text), /*days_only=*/false);
}

std::optional<absl::Time> DateFromText(std::string_view text) {
  // A byline or date line near the top: a short line that is a date, after
  // an optional label ("Published:", "Updated on:"), i.e. up to four words
  // before a colon.
  constexpr int kLines = 12;
  int lines = 0;
  size_t pos = 0;
  while (pos < text.size() && lines < kLines) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    ++lines;
    if (line.size() > 80) continue;
    if (const size_t colon = line.find(':');
        colon != std::string_view::npos && colon < 30) {
      const std::string_view label = line.substr(0, colon);
      int words = 1;
      bool letters = !label.empty();
      for (char c : label) {
        if (c == ' ')
          ++words;
        else if (!absl::ascii_isalpha(c))
          letters = false;
      }
      if (letters && words <= 4) line = Trim(line.substr(colon + 1));
    }
    if (auto t = ParseWritten(line, /*days_only=*/true)) return t;
    if (HasFourDigitRun(line)) {
      if (auto t = DateAmidTime(line)) return t;
    }
  }
  return std::nullopt;
}

std::optional<absl::Time> TimestampFromEpoch(double value) {
  if (!std::isfinite(value) || value < 0) return std::nullopt;
  const double millis = value > kMillisecondsAbove ? value : value * 1000.0;
  // Milliseconds from 2^63 on have no int64_t: no time, not a wrapped one
  // (converting them would be undefined behaviour).
  if (millis >= 0x1p63) return std::nullopt;
  return absl::FromUnixMillis(static_cast<int64_t>(millis));
}

std::optional<absl::Time> ParseTimestamp(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 64) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && absl::ascii_isdigit(c);
  if (all_digits) {
    double value;
    if (!absl::SimpleAtod(AV(text), &value)) return std::nullopt;
    return TimestampFromEpoch(value);
  }
  const std::string input(text);
  for (const char* format : kFormats) {
    absl::Time t;
    std::string error;
    if (absl::ParseTime(format, input, &t, &error)) return t;
  }
  return ParseWritten(text, /*days_only=*/false);
}

}  // namespace storycluster
