// The value types that flow out of ingest: an accepted Article, a Rejection
// that says which input was refused and why, and the run's accounting.
// These are plain structs: copyable, movable, no hidden state.
#ifndef STORYCLUSTER_ARTICLE_H_
#define STORYCLUSTER_ARTICLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace storycluster {

// Where an article or a rejection came from: a file (or "-" for standard
// input) and a 1-based line number (0 for whole-file inputs).
struct Origin {
  std::string file;
  int64_t line = 0;

  // "file:line", or "file" when line is 0.
  std::string ToString() const;
};

// One accepted news article, as read from the input (no normalization yet).
struct Article {
  std::string id;                       // unique within a run; never empty
  std::string title;                    // may be empty
  std::string text;                     // body; may be empty when title is not
  std::optional<absl::Time> published;  // unknown when absent or unparsable
  std::string source;                   // outlet name or domain; may be empty
  std::string url;                      // may be empty
  Origin origin;
};

// Why an input record was refused. Each value has a fixed, documented
// message (see RejectReasonName) that tests and users can rely on.
enum class RejectReason {
  kInvalidJson,         // the line is not well-formed JSON
  kNotAnObject,         // the JSON line is valid but not an object
  kInvalidUtf8,         // bytes that are not valid UTF-8
  kMissingId,           // no id field, or an empty one
  kInvalidId,           // the id has control characters or a bad type
  kDuplicateId,         // an earlier record already used this id
  kEmptyText,           // title and text are both empty or whitespace
  kOversized,           // over the configured line/article size limit
  kWrongFieldType,      // e.g. a number or object where a string belongs
  kBinaryContent,       // NUL bytes in a text or Markdown file
  kInvalidFrontMatter,  // YAML front matter that does not parse to a map
  kUnreadable,          // a file that could not be opened or read
};

// Stable, human-readable name, e.g. "invalid JSON", "duplicate id".
std::string_view RejectReasonName(RejectReason reason);

// One refused input record with its location and a detail message.
struct Rejection {
  Origin origin;
  RejectReason reason;
  std::string detail;  // what exactly was wrong, e.g. the simdjson error

  // "file:line: reason: detail".
  std::string ToString() const;
};

// A note about an accepted article, e.g. an unparsable date that was dropped.
struct Warning {
  Origin origin;
  std::string message;
};

// Counts for one ingest run. Invariant: accepted + rejected == read.
struct IngestStats {
  int64_t read = 0;  // records seen: JSONL lines and article files
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t blank_lines = 0;    // empty JSONL lines (not records)
  int64_t ignored_files = 0;  // files in directories with other extensions
  int64_t bytes = 0;          // bytes of input read
};

// Everything ingest produced: accepted articles in input order, rejections
// and warnings in input order, and the accounting.
struct IngestResult {
  std::vector<Article> articles;
  std::vector<Rejection> rejections;
  std::vector<Warning> warnings;
  std::vector<std::string> ignored_files;
  IngestStats stats;
};

}  // namespace storycluster

#endif  // STORYCLUSTER_ARTICLE_H_
