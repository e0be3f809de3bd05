// Formatting of the ingest value types (origins, rejection reasons).
#include "storycluster/article.h"

#include "absl/strings/str_cat.h"
#include "lib/common/strings.h"

namespace storycluster {

std::string Origin::ToString() const {
  if (line <= 0) return file;
  return absl::StrCat(file, ":", line);
}

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kInvalidJson:
      return "invalid JSON";
    case RejectReason::kNotAnObject:
      return "not a JSON object";
    case RejectReason::kInvalidUtf8:
      return "invalid UTF-8";
    case RejectReason::kMissingId:
      return "missing id";
    case RejectReason::kInvalidId:
      return "invalid id";
    case RejectReason::kDuplicateId:
      return "duplicate id";
    case RejectReason::kEmptyText:
      return "empty title and text";
    case RejectReason::kOversized:
      return "oversized";
    case RejectReason::kWrongFieldType:
      return "wrong field type";
    case RejectReason::kBinaryContent:
      return "binary content";
    case RejectReason::kInvalidFrontMatter:
      return "invalid front matter";
    case RejectReason::kUnreadable:
      return "unreadable";
  }
  return "unknown";
}

std::string Rejection::ToString() const {
  return absl::StrCat(origin.ToString(), ": ", AV(RejectReasonName(reason)),
                      detail.empty() ? "" : ": ", detail);
}

}  // namespace storycluster
