// Internal: the state behind storycluster::Ingestor, shared by the format
// readers (jsonl.cc, files.cc) and the path walker (ingestor.cc).
#ifndef STORYCLUSTER_LIB_1_INGEST_INGEST_IMPL_H_
#define STORYCLUSTER_LIB_1_INGEST_INGEST_IMPL_H_

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "storycluster/ingest.h"

namespace storycluster {

// Candidate values for one logical field, keyed by FieldMap priority
// (lower wins). Used by every reader so that "first present wins" is applied
// the same way in JSON and in YAML front matter.
struct FieldCandidates {
  std::string value;
  int priority = -1;  // -1: none yet

  // Offers `v` found under the field name of rank `rank`.
  void Offer(int rank, std::string v) {
    if (priority < 0 || rank < priority) {
      priority = rank;
      value = std::move(v);
    }
  }
  bool present() const { return priority >= 0; }
};

// Fields read from Markdown front matter.
struct FrontMatter {
  FieldCandidates title, excerpt, source, url;
  std::vector<std::pair<int, std::string>> published;
};

class Ingestor::Impl {
 public:
  explicit Impl(IngestOptions options);

  absl::Status AddPath(const std::string& path);
  void AddJsonlStream(std::FILE* stream, std::string_view name);
  void AddJsonlBuffer(std::string_view bytes, std::string_view name);
  void AddTextFile(std::string_view bytes, std::string_view id,
                   std::string_view name);
  void AddMarkdownFile(std::string_view bytes, std::string_view id,
                       std::string_view name);

  IngestResult result;

 private:
  // Reads `size` bytes at most into `dst`; returns how many (0 at the end).
  using ReadFn = std::function<size_t(char* dst, size_t size)>;

  // What became of one record, decided on any thread: an article for
  // Commit, or a refusal; and the warnings it raised, in order.
  struct Parsed {
    Article article;
    bool rejected = false;
    RejectReason reason{};
    std::string detail;
    std::vector<Warning> warnings;

    void Refuse(RejectReason why, std::string what) {
      rejected = true;
      reason = why;
      detail = std::move(what);
    }
  };
  // A JSON Lines line waiting to be parsed: its place in the read buffer.
  struct PendingLine {
    size_t from, to;
    int64_t line_no;
  };

  void ScanJsonLines(const ReadFn& read, std::string_view name);
  // Parses and checks the pending lines of `name` (on options_.threads
  // threads), then commits them in order; empties `pending`.
  void ParsePending(std::vector<PendingLine>& pending, std::string_view name);
  // Reads one line's record with `parser`; touches no shared state.
  void ParseJsonRecord(std::string_view line, Origin origin,
                       simdjson::dom::parser& parser, Parsed* out) const;
  // The checks of an article that need no other record (id, text,
  // furniture); a failed one refuses it.
  static void CheckArticle(Parsed* parsed);
  // The warnings, then the refusal or the ordered checks and acceptance.
  void Commit(Parsed&& parsed);
  void RejectOversizedLine(Origin origin);
  // Checks and unifies a whole-file article's bytes (BOM, NUL, UTF-8, line
  // ends) into `*text`; on failure rejects the file and returns false.
  bool PrepareFileText(std::string_view bytes, const Origin& origin,
                       std::string* text);
  void AddFile(const std::string& path, const std::string& id);
  // Reads the recognised fields of a parsed front-matter map. May throw
  // YAML::Exception (caught by AddMarkdownFile).
  void ReadFrontMatter(const YAML::Node& root, FrontMatter* out);

  // Every record ends in exactly one of these two calls, so that
  // accepted + rejected == read holds by construction.
  void Reject(Origin origin, RejectReason reason, std::string detail);
  void Accept(Article article);

  // Looks up which logical field (and rank) an input field name feeds.
  const std::pair<Field, int>* Lookup(std::string_view key) const;
  // Picks the first parsable date among the candidate strings (by rank).
  static void ResolvePublished(
      std::vector<std::pair<int, std::string>>& candidates, Article& article,
      std::vector<Warning>* warnings);

  IngestOptions options_;
  absl::flat_hash_map<std::string, std::pair<Field, int>> field_index_;
  absl::flat_hash_map<std::string, Origin> seen_ids_;
  std::vector<simdjson::dom::parser> parsers_;  // one per parsing thread
  std::vector<Parsed> parsed_;                  // ParsePending's
  std::vector<char> buffer_;
  size_t accepted_bytes_ = 0;  // title + text of accepted articles
};

// Byte offset of the first invalid UTF-8 sequence, or npos when valid.
size_t FindInvalidUtf8(std::string_view bytes);

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_1_INGEST_INGEST_IMPL_H_
