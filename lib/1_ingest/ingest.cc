// Ingestor: the accounting of accepted and refused records, id uniqueness,
// and walking paths (files, directories, standard input).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/1_ingest/ingest_impl.h"
#include "lib/common/strings.h"
#include "storycluster/text.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace storycluster {
namespace fs = std::filesystem;

namespace {

enum class FileKind { kJsonl, kText, kMarkdown, kOther };

FileKind KindOf(const fs::path& path) {
  const std::string ext = absl::AsciiStrToLower(path.extension().string());
  if (ext == ".jsonl" || ext == ".ndjson") return FileKind::kJsonl;
  if (ext == ".txt") return FileKind::kText;
  if (ext == ".md" || ext == ".markdown") return FileKind::kMarkdown;
  return FileKind::kOther;
}

// True when `s` has a Unicode letter or digit (not only punctuation,
// symbols and spaces).
bool HasLetterOrDigit(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t length = static_cast<int32_t>(
      std::min<size_t>(s.size(), static_cast<size_t>(INT32_MAX)));
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(p, i, length, c);
    if (c >= 0 && u_isalnum(c)) return true;
  }
  return false;
}

// True when every non-blank line is site furniture (text.h).
bool OnlyFurniture(std::string_view text) {
  bool any = false;
  for (absl::string_view line : absl::StrSplit(AV(text), '\n')) {
    const std::string_view trimmed = Trim(SV(line));
    if (trimmed.empty()) continue;
    if (!IsFurnitureLine(trimmed)) return false;
    any = true;
  }
  return any;
}

bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Ingestor::Impl::Impl(IngestOptions options) : options_(std::move(options)) {
  for (Field field : {Field::kId, Field::kTitle, Field::kText,
                      Field::kPublished, Field::kSource, Field::kUrl}) {
    const std::vector<std::string>& names = options_.fields.names(field);
    for (int rank = 0; rank < static_cast<int>(names.size()); ++rank) {
      // A name listed under two fields feeds the first one only.
      field_index_.try_emplace(names[rank], field, rank);
    }
  }
}

const std::pair<Field, int>* Ingestor::Impl::Lookup(
    std::string_view key) const {
  auto it = field_index_.find(AV(key));
  return it == field_index_.end() ? nullptr : &it->second;
}

void Ingestor::Impl::ResolvePublished(
    std::vector<std::pair<int, std::string>>& candidates, Article& article,
    std::vector<Warning>* warnings) {
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [rank, text] : candidates) {
    if (auto t = ParseTimestamp(text)) {
      article.published = *t;
      return;
    }
  }
  if (!candidates.empty()) {
    warnings->push_back(
        {article.origin, absl::StrCat("unrecognised date '",
                                      candidates.front().second.substr(0, 64),
                                      "'; publication time left unknown")});
  }
}

void Ingestor::Impl::Reject(Origin origin, RejectReason reason,
                            std::string detail) {
  ++result.stats.read;
  ++result.stats.rejected;
  result.rejections.push_back({std::move(origin), reason, std::move(detail)});
}

void Ingestor::Impl::CheckArticle(Parsed* parsed) {
  Article& article = parsed->article;
  article.id = std::string(Trim(article.id));
  article.title = std::string(Trim(article.title));
  article.source = std::string(Trim(article.source));
  if (article.id.empty()) {
    return parsed->Refuse(RejectReason::kMissingId,
                          "no id field (or an empty one)");
  }
  if (HasControlCharacter(article.id)) {
    return parsed->Refuse(RejectReason::kInvalidId,
                          "the id contains control characters");
  }
  if (article.id.size() > 1024) {
    return parsed->Refuse(RejectReason::kInvalidId,
                          absl::StrCat("the id is ", article.id.size(),
                                       " bytes long (at most 1024)"));
  }
  if (article.title.empty() && Trim(article.text).empty()) {
    return parsed->Refuse(
        RejectReason::kEmptyText,
        absl::StrCat("article '", article.id, "' has no title or text"));
  }
  if (!HasLetterOrDigit(article.title) && !HasLetterOrDigit(article.text)) {
    return parsed->Refuse(
        RejectReason::kEmptyText,
        absl::StrCat("article '", article.id, "' has no letters or digits"));
  }
  if (article.title.empty() && OnlyFurniture(article.text)) {
    return parsed->Refuse(RejectReason::kEmptyText,
                          absl::StrCat("article '", article.id,
                                       "' has only site furniture lines"));
  }
  // No date in the metadata: a byline near the top may give it. The title
  // is the top line (a text file's first line, and some corpora's title
  // field holds the byline of the page the text was cut from).
  if (!article.published) article.published = DateFromText(article.title);
  if (!article.published) article.published = DateFromText(article.text);
}

void Ingestor::Impl::Commit(Parsed&& parsed) {
  for (Warning& w : parsed.warnings) result.warnings.push_back(std::move(w));
  Article& article = parsed.article;
  if (parsed.rejected) {
    Reject(std::move(article.origin), parsed.reason, std::move(parsed.detail));
    return;
  }
  // The checks that depend on the records before this one.
  const size_t size = article.title.size() + article.text.size();
  if (accepted_bytes_ + size > options_.max_total_bytes) {
    Reject(std::move(article.origin), RejectReason::kOversized,
           absl::StrCat("the run's total text limit of ",
                        options_.max_total_bytes, " bytes is reached"));
    return;
  }
  if (size > options_.max_article_bytes) {
    Reject(std::move(article.origin), RejectReason::kOversized,
           absl::StrCat("title and text are ", size, " bytes (limit ",
                        options_.max_article_bytes, ")"));
    return;
  }
  auto [it, inserted] = seen_ids_.try_emplace(article.id, article.origin);
  if (!inserted) {
    Reject(std::move(article.origin), RejectReason::kDuplicateId,
           absl::StrCat("id '", article.id, "' was first seen at ",
                        it->second.ToString()));
    return;
  }
  ++result.stats.read;
  ++result.stats.accepted;
  accepted_bytes_ += size;
  if (options_.sink) {
    options_.sink(std::move(article));
    return;
  }
  result.articles.push_back(std::move(article));
}

void Ingestor::Impl::Accept(Article article) {
  Parsed parsed;
  parsed.article = std::move(article);
  CheckArticle(&parsed);
  Commit(std::move(parsed));
}

void Ingestor::Impl::AddFile(const std::string& path, const std::string& id) {
  const FileKind kind = KindOf(path);
  if (kind == FileKind::kJsonl) {
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (f == nullptr) {
      Reject(Origin{path, 0}, RejectReason::kUnreadable,
             std::error_code(errno, std::generic_category()).message());
      return;
    }
    AddJsonlStream(f.get(), path);
    return;
  }
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) {
    Reject(Origin{path, 0}, RejectReason::kUnreadable, ec.message());
    return;
  }
  if (size > options_.max_record_bytes) {
    Reject(Origin{path, 0}, RejectReason::kOversized,
           absl::StrCat("file is ", size, " bytes (limit ",
                        options_.max_record_bytes, ")"));
    return;
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    Reject(Origin{path, 0}, RejectReason::kUnreadable,
           in ? "short read" : "cannot open the file");
    return;
  }
  result.stats.bytes += static_cast<int64_t>(size);
  if (kind == FileKind::kMarkdown) {
    AddMarkdownFile(bytes, id, path);
  } else {
    AddTextFile(bytes, id, path);
  }
}

absl::Status Ingestor::Impl::AddPath(const std::string& path) {
  if (path == "-") {
    AddJsonlStream(stdin, "-");
    return absl::OkStatus();
  }
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    return absl::NotFoundError(
        absl::StrCat("no such file or directory: ", path));
  }
  if (fs::is_regular_file(status)) {
    AddFile(path, fs::path(path).filename().string());
    return absl::OkStatus();
  }
  if (!fs::is_directory(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a regular file or directory: ", path));
  }
  // Collect, then sort, so that input order does not depend on the file
  // system's directory order.
  std::vector<fs::path> files;
  auto options = fs::directory_options::skip_permission_denied;
  if (options_.follow_directory_links) {
    options |= fs::directory_options::follow_directory_symlink;
  }
  fs::recursive_directory_iterator it(path, options, ec), end;
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot read directory ", path, ": ", ec.message()));
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      result.warnings.push_back(
          {Origin{path, 0}, absl::StrCat("directory walk: ", ec.message())});
      break;
    }
    const fs::path& p = it->path();
    if (p.filename().string().starts_with(".")) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec)) continue;
    if (!it->is_regular_file(ec)) {
      // Broken links, sockets, devices: report rather than drop silently.
      if (KindOf(p) != FileKind::kOther) {
        Reject(Origin{p.string(), 0}, RejectReason::kUnreadable,
               "not a regular file (broken link or special file)");
      }
      continue;
    }
    files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    if (KindOf(p) == FileKind::kOther) {
      ++result.stats.ignored_files;
      result.ignored_files.push_back(p.string());
      continue;
    }
    AddFile(p.string(), p.lexically_relative(path).generic_string());
  }
  return absl::OkStatus();
}

// --- public API ------------------------------------------------------------

Ingestor::Ingestor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ingestor::~Ingestor() = default;

absl::StatusOr<std::unique_ptr<Ingestor>> Ingestor::Create(
    IngestOptions options) {
  if (options.max_record_bytes == 0 || options.max_article_bytes == 0 ||
      options.max_total_bytes == 0) {
    return absl::InvalidArgumentError("size limits must be positive");
  }
  return std::unique_ptr<Ingestor>(
      new Ingestor(std::make_unique<Impl>(std::move(options))));
}

absl::Status Ingestor::AddPath(const std::string& path) {
  return impl_->AddPath(path);
}
void Ingestor::AddJsonlStream(std::FILE* stream, std::string_view name) {
  impl_->AddJsonlStream(stream, name);
}
void Ingestor::AddJsonlBuffer(std::string_view bytes, std::string_view name) {
  impl_->AddJsonlBuffer(bytes, name);
}
void Ingestor::AddTextFile(std::string_view bytes, std::string_view id,
                           std::string_view name) {
  impl_->AddTextFile(bytes, id, name);
}
void Ingestor::AddMarkdownFile(std::string_view bytes, std::string_view id,
                               std::string_view name) {
  impl_->AddMarkdownFile(bytes, id, name);
}
const IngestResult& Ingestor::result() const { return impl_->result; }
IngestResult Ingestor::Finish() && { return std::move(impl_->result); }

absl::StatusOr<IngestResult> IngestPaths(const std::vector<std::string>& paths,
                                         const IngestOptions& options) {
  auto ingestor = Ingestor::Create(options);
  if (!ingestor.ok()) return ingestor.status();
  for (const std::string& path : paths) {
    if (absl::Status s = (*ingestor)->AddPath(path); !s.ok()) return s;
  }
  return std::move(**ingestor).Finish();
}

}  // namespace storycluster
