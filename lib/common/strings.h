// Internal: bridges between std::string_view (the public API's view type)
// and absl::string_view. Debian's Abseil 20220623 is built with its own
// string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0), so the two types do not
// convert implicitly; these helpers make each crossing explicit and cheap.
#ifndef STORYCLUSTER_LIB_COMMON_STRINGS_H_
#define STORYCLUSTER_LIB_COMMON_STRINGS_H_

#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace storycluster {

inline absl::string_view AV(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view SV(absl::string_view s) { return {s.data(), s.size()}; }

// ASCII white space stripped from both ends.
inline std::string_view Trim(std::string_view s) {
  return SV(absl::StripAsciiWhitespace(AV(s)));
}
inline std::string_view TrimLeft(std::string_view s) {
  return SV(absl::StripLeadingAsciiWhitespace(AV(s)));
}
inline std::string_view TrimRight(std::string_view s) {
  return SV(absl::StripTrailingAsciiWhitespace(AV(s)));
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_COMMON_STRINGS_H_
