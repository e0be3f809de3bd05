// Stage 1 of the pipeline: reading articles from JSON Lines, plain text,
// Markdown with YAML front matter, directories and standard input, with the
// bad-input policy of docs/formats.md (every refused record is reported with
// its location and reason; the rest is processed).
#ifndef STORYCLUSTER_INGEST_H_
#define STORYCLUSTER_INGEST_H_

#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storycluster/article.h"

namespace storycluster {

// The logical article fields that ingest fills.
enum class Field { kId, kTitle, kText, kPublished, kSource, kUrl };

// For each logical field, the input field names that supply it, in priority
// order: the first one present (and, for dates, parsable) wins.
struct FieldMap {
  std::vector<std::string> id = {"id", "doc_id", "uuid", "dId"};
  std::vector<std::string> title = {"title", "headline"};
  std::vector<std::string> text = {"text",    "maintext",    "body",
                                   "content", "description", "excerpt"};
  std::vector<std::string> published = {"published", "date", "date_publish",
                                        "publishedDateTime", "timestamp"};
  std::vector<std::string> source = {"source", "source_domain", "outlet",
                                     "provider"};
  std::vector<std::string> url = {"url", "originalUrl", "webUrl"};

  // Applies "field=name1,name2": the named input fields replace the list for
  // that logical field. Field names: id, title, text, published, source, url.
  absl::Status Override(std::string_view spec);

  const std::vector<std::string>& names(Field field) const;
};

// Options for an Ingestor.
struct IngestOptions {
  FieldMap fields;
  // Largest accepted JSONL line or article file, in bytes. Larger records
  // are refused with RejectReason::kOversized without being held in memory.
  // Default: 8 MiB. REQUIRES: > 0.
  size_t max_record_bytes = size_t{8} << 20;
  // Largest accepted title + text of one article, in bytes. Default: 4 MiB.
  size_t max_article_bytes = size_t{4} << 20;
  // Largest total title + text of all accepted articles of one run, in
  // bytes: later records are refused (kOversized) instead of growing memory
  // without bound. Default: 16 GiB. REQUIRES: > 0.
  size_t max_total_bytes = size_t{16} << 30;
  // Directory traversal follows symbolic links to directories. Default: off
  // (a link cycle cannot loop; linked files are still read).
  bool follow_directory_links = false;
  // When set, each accepted article is handed to this function, in input
  // order, instead of being kept in IngestResult::articles (the checks and
  // the accounting are the same). Lets large inputs stream through without
  // holding every text. Default: none.
  std::function<void(Article&&)> sink;
  // Threads that parse JSON Lines records: a read chunk's lines are parsed
  // and checked on up to this many threads, then accounted and handed on
  // in input order, so the result is the same for any count. 0 or less:
  // all cores. Default: 1 (the calling thread only).
  int threads = 1;
};

// Parses an ISO 8601 date ("2021-03-14"), date-time with optional fraction
// and offset ("2021-03-14T01:27:54Z", "2021-03-14 09:27:54+08:00"), epoch
// seconds / milliseconds given as digits (values above 1e11 are taken as
// milliseconds), an RFC 2822 date, or a date written out in English
// (ParseWrittenDate). Returns nullopt when the text is none of these.
std::optional<absl::Time> ParseTimestamp(std::string_view text);
// A date written out in English, parsed with ICU: "April 3, 2018",
// "Apr 3, 2018", "3 April 2018", "Tuesday, April 3, 2018", "10:00pm, 26 Jul
// 2025", "April 3, 2018 10:00 AM"; or a month: "2018-04", "April 2018" (its
// first day). Times without a zone are UTC; years outside 1900-2200 are
// refused. The whole text must be the date.
std::optional<absl::Time> ParseWrittenDate(std::string_view text);
// The publication date of an article whose metadata has none, from a
// byline or date line among the first 12 lines of `text`: a line of at most
// 80 characters that is a date naming a day, after an optional label of up
// to four words and a colon ("Published: 10:00pm, 26 Jul 2025"), or that
// holds such a date with only a time, zone or am/pm beside it ("May 2,
// 2013, 1: 12 PM", "12:52 p.m. EDT May 2, 2013"; that time is not read,
// the day is). Ordinal days ("May 3rd, 2013") are read as numbers. Nullopt
// when no such line is there.
std::optional<absl::Time> DateFromText(std::string_view text);
// The same for a JSON number of epoch seconds or milliseconds.
std::optional<absl::Time> TimestampFromEpoch(double value);

// Reads inputs into one IngestResult. Ids are unique across everything added
// to one Ingestor: a later record with a used id is refused (first kept).
//
// Thread safety: not thread-safe; use one Ingestor per thread or guard it.
// Ownership: the Ingestor owns its result until Finish() moves it out.
class Ingestor {
 public:
  static absl::StatusOr<std::unique_ptr<Ingestor>> Create(
      IngestOptions options = {});
  ~Ingestor();
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  // Adds a file or a directory (recursively; files by extension: .jsonl,
  // .ndjson -> JSON Lines, .txt -> text, .md/.markdown -> Markdown; hidden
  // entries and other extensions are skipped and counted as ignored). "-"
  // reads JSON Lines from standard input. Returns an error only when `path`
  // itself does not exist or is not a file or directory; problems with
  // individual records and files inside become Rejections.
  absl::Status AddPath(const std::string& path);

  // Reads JSON Lines from an open stream until EOF; `name` labels origins.
  void AddJsonlStream(std::FILE* stream, std::string_view name);
  // Parses an in-memory JSON Lines buffer.
  void AddJsonlBuffer(std::string_view bytes, std::string_view name);
  // Parses one in-memory text (.txt) or Markdown (.md) file whose article id
  // is `id` and whose origin is `name`.
  void AddTextFile(std::string_view bytes, std::string_view id,
                   std::string_view name);
  void AddMarkdownFile(std::string_view bytes, std::string_view id,
                       std::string_view name);

  // The result so far (read-only view).
  const IngestResult& result() const;
  // Moves the result out; the Ingestor must not be used afterwards.
  IngestResult Finish() &&;

 private:
  class Impl;
  explicit Ingestor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Convenience: reads every path with one Ingestor.
absl::StatusOr<IngestResult> IngestPaths(const std::vector<std::string>& paths,
                                         const IngestOptions& options = {});

}  // namespace storycluster

#endif  // STORYCLUSTER_INGEST_H_
