// Whole-file article formats: plain text (.txt) and Markdown with optional
// YAML front matter (.md), parsed with yaml-cpp.
#include <yaml-cpp/yaml.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/common/strings.h"
#include "lib/ingest/ingest_impl.h"
#include "storycluster/normalize.h"

namespace storycluster {
namespace {

constexpr size_t kMaxTitleCodePoints = 200;
// Flow collections ([...] / {...}) nested deeper than this are refused
// before yaml-cpp sees them: its recursive parser would exhaust the stack.
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

int FlowNesting(std::string_view yaml) {
  int depth = 0, max_depth = 0;
  for (char c : yaml) {
    if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
    if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  return max_depth;
}

std::string ScalarOf(const YAML::Node& node) {
  return node.IsScalar() ? node.Scalar() : std::string();
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
  Article article;
  article.id = std::string(id);
  std::string_view body = text;
  FieldCandidates title, excerpt, source, url;
  std::vector<std::pair<int, std::string>> published;
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
    if (FlowNesting(yaml) > kMaxYamlNesting) {
      Reject(std::move(origin), RejectReason::kInvalidFrontMatter,
             absl::StrCat("nested deeper than ", kMaxYamlNesting, " levels"));
      return;
    }
    YAML::Node root;
    try {
      root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
      // Front matter starts on line 2 of the file; yaml-cpp counts from 0.
      Reject(std::move(origin), RejectReason::kInvalidFrontMatter,
             absl::StrCat("line ", e.mark.line + 2, ": ", e.msg));
      return;
    }
    if (!root.IsMap() && !root.IsNull()) {
      Reject(std::move(origin), RejectReason::kInvalidFrontMatter,
             "front matter is not a map of fields");
      return;
    }
    for (const auto& kv : root) {
      if (!kv.first.IsScalar()) continue;
      const std::pair<Field, int>* slot = Lookup(kv.first.Scalar());
      if (slot == nullptr) continue;
      const auto [field, rank] = *slot;
      const YAML::Node& value = kv.second;
      switch (field) {
        case Field::kId:
          break;  // a file article's id is its path (docs/formats.md)
        case Field::kTitle:
          if (!ScalarOf(value).empty()) title.Offer(rank, ScalarOf(value));
          break;
        case Field::kText:
          if (!ScalarOf(value).empty()) excerpt.Offer(rank, ScalarOf(value));
          break;
        case Field::kUrl:
          if (!ScalarOf(value).empty()) url.Offer(rank, ScalarOf(value));
          break;
        case Field::kPublished:
          if (value.IsScalar()) published.emplace_back(rank, value.Scalar());
          break;
        case Field::kSource:
          if (value.IsMap()) {
            std::string s = ScalarOf(value["name"]);
            if (s.empty()) s = ScalarOf(value["domain"]);
            if (!s.empty()) source.Offer(rank, std::move(s));
          } else if (!ScalarOf(value).empty()) {
            source.Offer(rank, ScalarOf(value));
          }
          break;
      }
    }
  }
  // Markdown headings lose their '#' marks; the first one may be the title.
  std::string plain;
  for (absl::string_view piece : absl::StrSplit(AV(body), '\n')) {
    std::string_view line = SV(piece);
    std::string_view stripped = TrimLeft(line);
    if (stripped.starts_with("#")) {
      stripped = TrimLeft(stripped.substr(
          stripped.find_first_not_of('#') == std::string_view::npos
              ? stripped.size()
              : stripped.find_first_not_of('#')));
      absl::StrAppend(&plain, AV(stripped), "\n");
    } else {
      absl::StrAppend(&plain, AV(line), "\n");
    }
  }
  if (title.present()) {
    article.title = std::move(title.value);
    article.text = std::move(plain);
  } else {
    SplitTitle(plain, &article.title, &article.text);
  }
  if (Trim(article.text).empty() && excerpt.present()) {
    article.text = std::move(excerpt.value);
  }
  article.source = std::move(source.value);
  article.url = std::move(url.value);
  article.origin = std::move(origin);
  ResolvePublished(published, article);
  Accept(std::move(article));
}

}  // namespace storycluster
