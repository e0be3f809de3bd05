// Publication-time parsing: ISO 8601 dates and date-times (with offsets),
// RFC 2822 dates as found in RSS, and epoch seconds or milliseconds.
#include <cmath>
#include <string>

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

}  // namespace

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
  return std::nullopt;
}

}  // namespace storycluster
