// FieldMap: which input field names supply each logical article field.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/common/strings.h"
#include "storycluster/ingest.h"

namespace storycluster {

const std::vector<std::string>& FieldMap::names(Field field) const {
  switch (field) {
    case Field::kId:
      return id;
    case Field::kTitle:
      return title;
    case Field::kText:
      return text;
    case Field::kPublished:
      return published;
    case Field::kSource:
      return source;
    case Field::kUrl:
      return url;
  }
  return id;
}

absl::Status FieldMap::Override(std::string_view spec) {
  std::pair<absl::string_view, absl::string_view> kv =
      absl::StrSplit(AV(spec), absl::MaxSplits('=', 1));
  std::vector<std::string> names;
  for (absl::string_view piece : absl::StrSplit(kv.second, ',')) {
    std::string_view name = Trim(SV(piece));
    if (!name.empty()) names.emplace_back(name);
  }
  if (names.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field override '", AV(spec), "' must look like FIELD=NAME[,NAME...]"));
  }
  std::vector<std::string>* target = nullptr;
  std::string_view key = Trim(SV(kv.first));
  if (key == "id") target = &id;
  if (key == "title") target = &title;
  if (key == "text") target = &text;
  if (key == "published") target = &published;
  if (key == "source") target = &source;
  if (key == "url") target = &url;
  if (target == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown field '", AV(key),
        "' in override (expected id, title, text, published, source or url)"));
  }
  *target = std::move(names);
  return absl::OkStatus();
}

}  // namespace storycluster
