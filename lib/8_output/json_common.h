// Internal: JSON pieces shared by the clustering and copy-group outputs.
#ifndef STORYCLUSTER_LIB_8_OUTPUT_JSON_COMMON_H_
#define STORYCLUSTER_LIB_8_OUTPUT_JSON_COMMON_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "storycluster/article.h"

namespace storycluster::output_internal {

using Json = nlohmann::ordered_json;

// RFC 3339 UTC ("2021-03-14T01:27:54Z"), or "" when unknown.
inline std::string FormatTime(const std::optional<absl::Time>& t) {
  if (!t) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *t, absl::UTCTimeZone());
}

inline Json TimeJson(const std::optional<absl::Time>& t) {
  return t ? Json(FormatTime(t)) : Json(nullptr);
}

inline std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Adds "rejected" and "warnings" arrays for `ingest` to `tail`.
inline void AddInputReport(const IngestResult& ingest, Json& tail) {
  Json rejected = Json::array();
  for (const Rejection& r : ingest.rejections) {
    rejected.push_back({{"file", r.origin.file},
                        {"line", r.origin.line},
                        {"reason", std::string(RejectReasonName(r.reason))},
                        {"detail", r.detail}});
  }
  tail["rejected"] = std::move(rejected);
  Json warnings = Json::array();
  for (const Warning& w : ingest.warnings) {
    warnings.push_back({{"file", w.origin.file},
                        {"line", w.origin.line},
                        {"message", w.message}});
  }
  tail["warnings"] = std::move(warnings);
}

// Closes `out` (an open top-level array of objects written one by one)
// and splices the fields of `tail` after it.
inline void CloseWithTail(const Json& tail, std::string* out) {
  absl::StrAppend(out, "\n],", Dump(tail).substr(1), "\n");
}

}  // namespace storycluster::output_internal

#endif  // STORYCLUSTER_LIB_8_OUTPUT_JSON_COMMON_H_
