// A persistent, incremental index: articles with their copy groups, events
// and storylines in one SQLite database (docs/index.md gives the schema, the
// durability settings and what `Add` promises). A batch is clustered with
// the archive articles of its time window (the hot window), and the
// archive's ids carry over: an article keeps its copy group, event and
// storyline once assigned, and a new article joins the cluster most of its
// archive neighbours hold, or starts a new one. Copies are also found
// against the whole archive, by the signatures every article keeps; Compact
// takes old articles out of the hot state.
//
// Thread safety: one Index object is used by one thread at a time. Any
// number of processes may read a database while one adds to it (SQLite's
// write-ahead log); a second writer waits up to IndexOptions::busy_timeout
// and is then refused.
#ifndef STORYCLUSTER_INDEX_H_
#define STORYCLUSTER_INDEX_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storycluster/article.h"
#include "storycluster/pipeline.h"

namespace storycluster {

// The schema version this library writes and reads (PRAGMA user_version).
inline constexpr int kIndexSchemaVersion = 2;

struct IndexOptions {
  // Create the database when `path` does not exist; when false, a missing
  // file is an error (NotFound). Creating over an existing index is an
  // error (AlreadyExists). Default: false.
  bool create = false;
  // Open for reading only: Add is refused. Default: false.
  bool read_only = false;
  // Days of archive on each side of a batch's articles that are clustered
  // with it (the hot window); set when the index is created and stored in
  // it, ignored afterwards. An undated archive article is in the window of
  // the adds within window_days of when it was added. Default: 14.
  // REQUIRES: > 0.
  double window_days = 14;
  // How long a writer waits for another writer's transaction before Add
  // fails with Unavailable. Default: 5 s.
  absl::Duration busy_timeout = absl::Seconds(5);
  // How a batch is clustered with its window (features, copy, event and
  // storyline options, threads). Default: the defaults of `cluster`.
  PipelineOptions pipeline;
};

// One article's clusters as ids ("d12", "e3", "s2": output.h ClusterId).
// The ids are the index's own, stable across later batches.
struct IndexAssignment {
  std::string id;
  std::string copy_group;
  std::string event;
  std::string story;
  bool original = false;  // the first member of its copy group in the index
  // Whether this batch started the cluster (false: it joined one of the
  // archive's).
  bool new_copy_group = false;
  bool new_event = false;
  bool new_story = false;
};

// Two archive clusters that this batch's clustering puts together (a new
// article bridges them). Their articles keep their ids; the link is
// recorded in the `links` table (docs/index.md).
struct IndexLink {
  std::string from;  // a cluster whose members stay where they are
  std::string into;  // the cluster the new articles joined
};

struct AddResult {
  int64_t batch = 0;  // the batch number, 0 when nothing was added
  // The articles added, in input order.
  std::vector<IndexAssignment> added;
  // Ids already in the index (or earlier in this batch): reported, not
  // added again.
  std::vector<std::string> skipped;
  std::vector<IndexLink> links;
  size_t window_articles = 0;  // archive articles clustered with the batch
  // Of which this batch moved to another copy group, event or storyline
  // (or whose original flag it changed).
  size_t window_moved = 0;
  // New articles that copy an archive article outside the window (found by
  // its stored signature) and joined its copy group.
  size_t archive_copies = 0;
  std::vector<StageTime> stages;
};

// An article as stored, with its clusters.
struct IndexedArticle {
  Article article;  // origin: the database path and the article's row
  IndexAssignment assignment;  // new_* false
  int64_t batch = 0;
  // Compact dropped its text: it keeps its ids, title and signature (new
  // copies of it are still found) and no longer joins a window.
  bool compacted = false;
};

struct CompactResult {
  int64_t compacted = 0;  // articles compacted by this call
};

struct IndexStats {
  int schema_version = 0;
  int64_t articles = 0;
  int64_t batches = 0;
  int64_t copy_groups = 0;  // with 2 or more members
  int64_t events = 0;
  int64_t storylines = 0;
  int64_t links = 0;
  int64_t compacted = 0;  // articles Compact took out of the hot state
  std::optional<absl::Time> first_published, last_published;
  double window_days = 0;
  int64_t database_bytes = 0;  // pages in use times the page size
};

class Index {
 public:
  // Opens (or, with options.create, creates) the index at `path`.
  // Errors: NotFound (no file and not create), AlreadyExists (create over
  // an existing file), FailedPrecondition (not a storycluster index, or a
  // schema version other than kIndexSchemaVersion: the message names it),
  // InvalidArgument (bad options), Internal (SQLite errors, with SQLite's
  // message).
  static absl::StatusOr<std::unique_ptr<Index>> Open(const std::string& path,
                                                     IndexOptions options = {});
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Clusters `articles` with the hot window and stores them with their
  // clusters in one transaction: after it returns OK the batch survives a
  // crash or power cut; after an error or a crash nothing of it is
  // stored. Ids already in the index are skipped (AddResult::skipped).
  // Errors: FailedPrecondition (read-only), Unavailable (another writer
  // held the database past busy_timeout), Internal.
  absl::StatusOr<AddResult> Add(absl::Span<const Article> articles);

  // The article with `id`, or nullopt.
  absl::StatusOr<std::optional<IndexedArticle>> Lookup(std::string_view id);

  // Every article in the order it was added, with its clusters, read in
  // one transaction (a consistent view while a writer adds). The returned
  // clustering's indices are the ids' numbers minus one (ClusterId gives
  // the ids back), so output.h formats it as `cluster` would; clusters
  // without members in the snapshot have no entries.
  struct SnapshotResult {
    IngestResult ingest;
    Clustering clustering;
  };
  absl::StatusOr<SnapshotResult> Snapshot();

  // The members of event "eN" or storyline "sN" (ids as ClusterId writes
  // them), in the order they were added. InvalidArgument for a malformed
  // id; an empty list for an unknown one.
  absl::StatusOr<std::vector<IndexedArticle>> Members(std::string_view cluster);

  absl::StatusOr<IndexStats> Stats();

  // Takes the articles published before `before`, and the undated ones
  // added before it, out of the hot state: their text is dropped, they
  // join no window again (their clusters are final) and their space goes
  // back to the file system. Copies of them are still found against their
  // signatures. Idempotent. Errors: FailedPrecondition (read-only),
  // Unavailable (another writer), Internal.
  absl::StatusOr<CompactResult> Compact(absl::Time before);

  const std::string& path() const;

 private:
  class Impl;
  explicit Index(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace storycluster

#endif  // STORYCLUSTER_INDEX_H_
