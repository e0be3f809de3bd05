// Whole-file article formats: plain text (.txt) and Markdown with optional
// YAML front matter (.md), parsed with yaml-cpp.
#include <yaml-cpp/yaml.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/1_ingest/ingest_impl.h"
#include "lib/common/strings.h"
#include "storycluster/text.h"

namespace storycluster {
namespace {

constexpr size_t kMaxTitleCodePoints = 200;
// Front matter nested deeper than this (see NestingBound) is refused before
// yaml-cpp sees it: its recursive parser would exhaust the stack.
constexpr int kMaxYamlNesting = 64;

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Common checks for whole-file formats: strips a BOM and unifies line ends.
// Returns false (after rejecting) when the bytes are not UTF-8 text.
bool PrepareText(std::string_view bytes, std::string* out, RejectReason* reason,
                 std::string* detail) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (const void* nul = std::memchr(bytes.data(), '\0', bytes.size())) {
    *reason = RejectReason::kBinaryContent;
    *detail = absl::StrCat("NUL byte at offset ",
                           static_cast<const char*>(nul) - bytes.data());
    return false;
  }
  if (size_t bad = FindInvalidUtf8(bytes); bad != std::string_view::npos) {
    *reason = RejectReason::kInvalidUtf8;
    *detail = absl::StrCat("at byte offset ", bad);
    return false;
  }
  *out = absl::StrReplaceAll(AV(bytes), {{"\r\n", "\n"}, {"\r", "\n"}});
  return true;
}

// Splits a text body into title and body: the first non-blank line that is
// not site furniture becomes the title when it is short (at most 200 code
// points) and does not end with a period; otherwise there is no title.
void SplitTitle(std::string_view text, std::string* title, std::string* body) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = Trim(text.substr(pos, nl - pos));
    if (!line.empty() && !IsFurnitureLine(line)) {
      if (CodePoints(line) <= kMaxTitleCodePoints && line.back() != '.') {
        *title = std::string(line);
        *body = absl::StrCat(AV(text.substr(0, pos)),
                             AV(nl < text.size() ? text.substr(nl + 1) : ""));
        return;
      }
      break;
    }
    pos = nl + 1;
  }
  title->clear();
  *body = std::string(text);
}

// An upper bound on how deep yaml-cpp's recursive parser would go: flow
// collections ([...] / {...}) nest by brackets, block collections by
// indentation and by "- " items opened on one line.
int NestingBound(std::string_view yaml) {
  int depth = 0, max_depth = 0;
  for (char c : yaml) {
    if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
    if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  for (absl::string_view line : absl::StrSplit(AV(yaml), '\n')) {
    size_t i = 0;
    int block = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '-')) {
      block += line[i] == '-';
      ++i;
    }
    max_depth = std::max(max_depth, block + static_cast<int>(i - block) / 2);
  }
  return max_depth;
}

// The node's text when it is a scalar. Safe on the invalid ("zombie")
// nodes yaml-cpp returns for missing keys, which throw on most calls.
std::string ScalarOf(const YAML::Node& node) {
  return node.IsDefined() && node.IsScalar() ? node.Scalar() : std::string();
}

}  // namespace

bool Ingestor::Impl::PrepareFileText(std::string_view bytes,
                                     const Origin& origin, std::string* text) {
  std::string detail;
  RejectReason reason;
  if (PrepareText(bytes, text, &reason, &detail)) return true;
  Reject(origin, reason, std::move(detail));
  return false;
}

void Ingestor::Impl::AddTextFile(std::string_view bytes, std::string_view id,
                                 std::string_view name) {
  Origin origin{std::string(name), 0};
  std::string text;
  if (!PrepareFileText(bytes, origin, &text)) return;
  Article article;
  article.id = std::string(id);
  article.origin = std::move(origin);
  SplitTitle(text, &article.title, &article.text);
  Accept(std::move(article));
}

void Ingestor::Impl::AddMarkdownFile(std::string_view bytes,
                                     std::string_view id,
                                     std::string_view name) {
  Origin origin{std::string(name), 0};
  std::string text;
  if (!PrepareFileText(bytes, origin, &text)) return;
  std::string_view body = text;
  FrontMatter fields;
  if (body.starts_with("---\n")) {
    // Front matter: up to a line that is exactly "---" or "...".
    size_t close = std::string_view::npos, after = 0;
    for (size_t pos = 4; pos <= body.size();) {
      size_t nl = body.find('\n', pos);
      if (nl == std::string_view::npos) nl = body.size();
      std::string_view line = body.substr(pos, nl - pos);
      if (line == "---" || line == "...") {
        close = pos;
        after = std::min(nl + 1, body.size());
        break;
      }
      pos = nl + 1;
    }
    if (close == std::string_view::npos) {
      Reject(std::move(origin), RejectReason::kInvalidFrontMatter,
             "no closing '---' line");
      return;
    }
    const std::string yaml(body.substr(4, close - 4));
    body.remove_prefix(after);
    if (NestingBound(yaml) > kMaxYamlNesting) {
      Reject(std::move(origin), RejectReason::kInvalidFrontMatter,
             absl::StrCat("nested deeper than ", kMaxYamlNesting, " levels"));
      return;
    }
    // yaml-cpp reports problems by throwing; they stop here. Front matter
    // starts on line 2 of the file and yaml-cpp counts lines from 0.
    try {
      const YAML::Node root = YAML::Load(yaml);
      if (!root.IsMap() && !root.IsNull()) {
        Reject(std::move(origin), RejectReason::kInvalidFrontMatter,
               "front matter is not a map of fields");
        return;
      }
      ReadFrontMatter(root, &fields);
    } catch (const YAML::Exception& e) {
      Reject(std::move(origin), RejectReason::kInvalidFrontMatter,
             absl::StrCat("line ", e.mark.line + 2, ": ", e.msg));
      return;
    }
  }
  Article article;
  article.id = std::string(id);
  // Markdown headings lose their '#' marks; the first one may be the title.
  std::string plain;
  for (absl::string_view piece : absl::StrSplit(AV(body), '\n')) {
    std::string_view line = SV(piece);
    std::string_view stripped = TrimLeft(line);
    if (stripped.starts_with("#")) {
      const size_t text_start = stripped.find_first_not_of('#');
      stripped = TrimLeft(stripped.substr(
          text_start == std::string_view::npos ? stripped.size() : text_start));
      absl::StrAppend(&plain, AV(stripped), "\n");
    } else {
      absl::StrAppend(&plain, AV(line), "\n");
    }
  }
  if (fields.title.present()) {
    article.title = std::move(fields.title.value);
    article.text = std::move(plain);
  } else {
    SplitTitle(plain, &article.title, &article.text);
  }
  if (Trim(article.text).empty() && fields.excerpt.present()) {
    article.text = std::move(fields.excerpt.value);
  }
  article.source = std::move(fields.source.value);
  article.url = std::move(fields.url.value);
  article.origin = std::move(origin);
  ResolvePublished(fields.published, article, &result.warnings);
  Accept(std::move(article));
}

void Ingestor::Impl::ReadFrontMatter(const YAML::Node& root, FrontMatter* out) {
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) continue;
    const std::pair<Field, int>* slot = Lookup(kv.first.Scalar());
    if (slot == nullptr) continue;
    const Field field = slot->first;
    const int rank = slot->second;
    const YAML::Node& value = kv.second;
    const std::string scalar = ScalarOf(value);
    switch (field) {
      case Field::kId:
        break;  // a file article's id is its path (docs/formats.md)
      case Field::kTitle:
        if (!scalar.empty()) out->title.Offer(rank, scalar);
        break;
      case Field::kText:
        if (!scalar.empty()) out->excerpt.Offer(rank, scalar);
        break;
      case Field::kUrl:
        if (!scalar.empty()) out->url.Offer(rank, scalar);
        break;
      case Field::kPublished:
        if (!scalar.empty()) out->published.emplace_back(rank, scalar);
        break;
      case Field::kSource:
        if (value.IsMap()) {
          std::string s = ScalarOf(value["name"]);
          if (s.empty()) s = ScalarOf(value["domain"]);
          if (!s.empty()) out->source.Offer(rank, std::move(s));
        } else if (!scalar.empty()) {
          out->source.Offer(rank, scalar);
        }
        break;
    }
  }
}

}  // namespace storycluster
