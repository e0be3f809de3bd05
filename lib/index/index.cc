// The persistent index (index.h) on SQLite: Add, which clusters a batch
// with its hot window, finds its copies in the rest of the archive, and
// carries the archive's ids over to the new articles; the readers; Compact.
// The schema is in schema.cc, the archive-wide copies in archive.cc.
#include "storycluster/index.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/common/strings.h"
#include "lib/index/archive.h"
#include "lib/index/schema.h"
#include "lib/index/sqlite.h"
#include "lib/index/term_weights.h"
#include "storycluster/output.h"
#include "storycluster/status.h"

namespace storycluster {
namespace {

namespace fs = std::filesystem;
using index_internal::ArchiveEntry;
using index_internal::ArchiveMatch;
using index_internal::Background;
using index_internal::CountTerms;
using sqlite::Exec;
using sqlite::Statement;
using sqlite::Transaction;

// What ReadRow reads: an Article's fields, then the index's own.
const std::string& ArticleColumns() {
  static const std::string* const columns = new std::string(
      absl::StrCat(index_internal::kArticleFields,
                   ", batch, copy_group, original, event, story, compacted"));
  return *columns;
}

// One stored article as read by a statement selecting ArticleColumns().
struct StoredRow {
  IndexedArticle entry;
  int64_t copy_group = 0, event = 0, story = 0;
};

StoredRow ReadRow(const Statement& s, const std::string& path) {
  StoredRow r;
  Article& a = r.entry.article;
  a = index_internal::ReadArticleFields(s);
  a.origin = {path, s.Int(0)};
  r.entry.batch = s.Int(7);
  r.copy_group = s.Int(8);
  r.entry.assignment.original = s.Int(9) != 0;
  r.event = s.Int(10);
  r.story = s.Int(11);
  r.entry.compacted = s.Int(12) != 0;
  IndexAssignment& as = r.entry.assignment;
  as.id = a.id;
  as.copy_group = ClusterId('d', static_cast<uint32_t>(r.copy_group - 1));
  as.event = ClusterId('e', static_cast<uint32_t>(r.event - 1));
  as.story = ClusterId('s', static_cast<uint32_t>(r.story - 1));
  return r;
}

// The ids of one level (copy groups, events or storylines) for the
// batch's run: fresh clusters take stored ids one to one, the pair sharing
// the most window members first (then the smaller id, then the earlier
// cluster); the rest get new ids, in order of their first member. The
// window's articles are re-decided with the batch, so an id follows most
// of its window members; articles outside the window keep theirs.
struct Mapped {
  std::vector<int64_t> id;    // per fresh cluster
  std::vector<bool> started;  // the id is new in this batch
  // Stored ids that no fresh cluster took: the fresh cluster holding most
  // of their window members (-1: none).
  std::vector<std::pair<int64_t, int64_t>> dropped;
};

// `members`: (fresh cluster, stored id) of each window member. `joins`:
// (fresh cluster, stored id) of each archive article outside the window
// that a new article copies; it counts as a member too, and a fresh
// cluster left without a stored id joins it (several may: two new copies
// of one source that the run kept apart both go to the source's clusters,
// as they would with the source in the run). `fresh_of`: every run
// article's fresh cluster, in run order.
Mapped MapClusters(const std::vector<uint32_t>& fresh_of, uint32_t num_fresh,
                   const std::vector<std::pair<uint32_t, int64_t>>& members,
                   const std::vector<std::pair<uint32_t, int64_t>>& joins,
                   int64_t* next_id) {
  absl::flat_hash_map<std::pair<uint32_t, int64_t>, int> shared;
  for (const auto& member : members) ++shared[member];
  for (const auto& join : joins) ++shared[join];
  struct Pair {
    int count;
    int64_t id;
    uint32_t fresh;
  };
  std::vector<Pair> pairs;
  pairs.reserve(shared.size());
  for (const auto& [key, count] : shared) {
    pairs.push_back({count, key.second, key.first});
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.id != b.id) return a.id < b.id;
    return a.fresh < b.fresh;
  });
  Mapped out;
  out.id.assign(num_fresh, 0);
  out.started.assign(num_fresh, false);
  absl::flat_hash_set<int64_t> taken;
  // The first pair of an id is its largest share.
  absl::flat_hash_map<int64_t, uint32_t> best_of;
  for (const Pair& p : pairs) {
    best_of.try_emplace(p.id, p.fresh);
    if (out.id[p.fresh] != 0 || taken.contains(p.id)) continue;
    out.id[p.fresh] = p.id;
    taken.insert(p.id);
  }
  for (const auto& [fresh, id] : joins) {
    if (out.id[fresh] != 0) continue;
    out.id[fresh] = id;
    taken.insert(id);
  }
  for (uint32_t f : fresh_of) {
    if (out.id[f] == 0) {
      out.id[f] = (*next_id)++;
      out.started[f] = true;
    }
  }
  std::vector<int64_t> ids;
  for (const auto& [id, best] : best_of) {
    if (!taken.contains(id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  for (int64_t id : ids) out.dropped.emplace_back(id, out.id[best_of[id]]);
  return out;
}

std::optional<int64_t> UnixSeconds(const std::optional<absl::Time>& t) {
  if (!t) return std::nullopt;
  return absl::ToUnixSeconds(*t);
}

// The next unused id of each level (meta next_*): ids are never reused,
// so an id that was dropped (links) cannot name another cluster later.
constexpr const char* kNextKeys[3] = {"next_copy_group", "next_event",
                                      "next_story"};

}  // namespace

class Index::Impl {
 public:
  std::string path;
  IndexOptions options;
  sqlite::DbHandle db;
  index_internal::SchemaInfo schema;
  std::optional<index_internal::ArchiveSigner> signer;

  absl::StatusOr<std::vector<StoredRow>> Query(
      const std::string& where, const std::vector<int64_t>& values);

  // Add's steps, in order.
  absl::Status SkipKnown(absl::Span<const Article> articles,
                         std::vector<const Article*>* fresh, AddResult* result);
  absl::StatusOr<std::vector<StoredRow>> ReadWindow(
      const std::vector<const Article*>& fresh);
  absl::StatusOr<std::vector<ArchiveMatch>> ArchiveCopies(
      const absl::flat_hash_set<int64_t>& window_rows, const Clustering& c,
      const std::vector<ArchiveEntry>& entries);
  absl::StatusOr<std::vector<bool>> Originals(
      const absl::flat_hash_set<int64_t>& window_rows, const Clustering& c,
      const std::vector<int64_t>& copy_group_of);
  absl::Status RecordLinks(const Mapped (&mapped)[3], const int64_t (&next)[3],
                           AddResult* result);
};

absl::StatusOr<std::vector<StoredRow>> Index::Impl::Query(
    const std::string& where, const std::vector<int64_t>& values) {
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto s,
      Statement::Prepare(db.get(), absl::StrCat("SELECT ", ArticleColumns(),
                                                " FROM articles ", where)));
  for (size_t i = 0; i < values.size(); ++i) {
    s.Bind(static_cast<int>(i + 1), values[i]);
  }
  std::vector<StoredRow> rows;
  for (;;) {
    STORYCLUSTER_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) break;
    rows.push_back(ReadRow(s, path));
  }
  return rows;
}

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::~Index() = default;
const std::string& Index::path() const { return impl_->path; }

absl::StatusOr<std::unique_ptr<Index>> Index::Open(const std::string& path,
                                                   IndexOptions options) {
  if (!(options.window_days > 0)) {
    return absl::InvalidArgumentError("index window_days must be above 0");
  }
  if (options.create && options.read_only) {
    return absl::InvalidArgumentError("cannot create a read-only index");
  }
  std::error_code error;
  const bool exists = fs::exists(path, error);
  if (options.create && exists) {
    return absl::AlreadyExistsError(absl::StrCat(path, " already exists"));
  }
  if (!options.create && !exists) {
    return absl::NotFoundError(absl::StrCat("no index at ", path));
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = std::move(options);
  const IndexOptions& o = impl->options;
  sqlite3* raw = nullptr;
  const int flags =
      o.read_only ? SQLITE_OPEN_READONLY
                  : SQLITE_OPEN_READWRITE | (o.create ? SQLITE_OPEN_CREATE : 0);
  const int code = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  impl->db.reset(raw);
  if (code != SQLITE_OK) {
    return sqlite::Error(raw, code, absl::StrCat("opening ", path));
  }
  sqlite3_busy_timeout(
      raw, static_cast<int>(absl::ToInt64Milliseconds(o.busy_timeout)));
  // FULL: the log is synced at every commit, so a batch that Add reported
  // survives a power cut (NORMAL, the usual WAL setting, may lose the last
  // commits). foreign_keys guards the batch references.
  STORYCLUSTER_RETURN_IF_ERROR(
      Exec(raw, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"));
  if (o.create)
    STORYCLUSTER_RETURN_IF_ERROR(index_internal::CreateSchema(raw, o));
  STORYCLUSTER_ASSIGN_OR_RETURN(impl->schema,
                                index_internal::CheckSchema(raw, path, o));
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto signer, index_internal::ArchiveSigner::Create(impl->schema.archive));
  impl->signer.emplace(std::move(signer));
  return std::unique_ptr<Index>(new Index(std::move(impl)));
}

// 1. Ids already stored or repeated in the batch are skipped.
absl::Status Index::Impl::SkipKnown(absl::Span<const Article> articles,
                                    std::vector<const Article*>* fresh,
                                    AddResult* result) {
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto known,
      Statement::Prepare(db.get(), "SELECT 1 FROM articles WHERE id=?"));
  absl::flat_hash_set<std::string> seen;
  for (const Article& a : articles) {
    known.Bind(1, std::string_view(a.id));
    STORYCLUSTER_ASSIGN_OR_RETURN(const bool stored, known.Step());
    known.Reset();
    if (stored || !seen.insert(a.id).second) {
      result->skipped.push_back(a.id);
    } else {
      fresh->push_back(&a);
    }
  }
  return absl::OkStatus();
}

// 2. The hot window: archive articles within window_days of the batch's
//    dated articles (of the archive's newest date when the batch has none),
//    undated ones added within window_days, and every member of the events
//    those are in;
//    compacted articles never. In the order they were added, as `cluster`
//    would read them.
absl::StatusOr<std::vector<StoredRow>> Index::Impl::ReadWindow(
    const std::vector<const Article*>& fresh) {
  std::optional<absl::Time> lo, hi;
  for (const Article* a : fresh) {
    if (!a->published) continue;
    lo = lo ? std::min(*lo, *a->published) : *a->published;
    hi = hi ? std::max(*hi, *a->published) : *a->published;
  }
  if (!lo) {
    STORYCLUSTER_ASSIGN_OR_RETURN(
        const int64_t newest,
        sqlite::QueryInt(db.get(),
                         "SELECT MAX(published) FROM articles WHERE "
                         "compacted = 0",
                         std::numeric_limits<int64_t>::min()));
    if (newest != std::numeric_limits<int64_t>::min()) {
      lo = hi = absl::FromUnixSeconds(newest);
    }
  }
  std::vector<StoredRow> window;
  if (lo) {
    const int64_t margin = static_cast<int64_t>(schema.window_days * 86400.0);
    STORYCLUSTER_ASSIGN_OR_RETURN(
        window, Query("WHERE published BETWEEN ? AND ? AND compacted = 0",
                      {absl::ToUnixSeconds(*lo) - margin,
                       absl::ToUnixSeconds(*hi) + margin}));
  }
  // An undated article is taken as published when it was added: it stays
  // in the windows of the adds within window_days of that, so that a feed
  // of undated items does not make every later add bigger. added_at is
  // RFC 3339 in UTC, whose text order is time order.
  const std::string added_since = absl::FormatTime(
      absl::RFC3339_sec, absl::Now() - absl::Hours(24) * schema.window_days,
      absl::UTCTimeZone());
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto undated,
      Query(absl::StrCat("WHERE published IS NULL AND compacted = 0 AND batch "
                         "IN (SELECT batch FROM batches WHERE added_at >= '",
                         added_since, "')"),
            {}));
  std::move(undated.begin(), undated.end(), std::back_inserter(window));
  // An event that spans more than the window is re-decided with all its
  // members, not cut at the window's edge (docs/index.md).
  absl::flat_hash_set<int64_t> rows, events;
  for (const StoredRow& r : window) {
    rows.insert(r.entry.article.origin.line);
    events.insert(r.event);
  }
  std::vector<int64_t> sorted_events(events.begin(), events.end());
  std::sort(sorted_events.begin(), sorted_events.end());
  for (int64_t event : sorted_events) {
    STORYCLUSTER_ASSIGN_OR_RETURN(
        auto members, Query("WHERE event = ? AND compacted = 0", {event}));
    for (StoredRow& m : members) {
      if (rows.insert(m.entry.article.origin.line).second) {
        window.push_back(std::move(m));
      }
    }
  }
  std::sort(window.begin(), window.end(),
            [](const StoredRow& a, const StoredRow& b) {
              return a.entry.article.origin.line < b.entry.article.origin.line;
            });
  return window;
}

// 4. Copies of the rest of the archive: each new article that is an
//    original in the run may copy an article outside the window (archive.h).
absl::StatusOr<std::vector<ArchiveMatch>> Index::Impl::ArchiveCopies(
    const absl::flat_hash_set<int64_t>& window_rows, const Clustering& c,
    const std::vector<ArchiveEntry>& entries) {
  // The run is the window's articles, then the batch's.
  const size_t archive = window_rows.size();
  std::vector<ArchiveEntry> queries;
  std::vector<size_t> run_of;
  for (size_t j = 0; j < entries.size(); ++j) {
    if (!c.assignments[archive + j].original) continue;
    queries.push_back(entries[j]);
    run_of.push_back(archive + j);
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto matches,
      index_internal::FindArchiveCopies(db.get(), *signer, queries, window_rows,
                                        options.pipeline.cluster.copies));
  for (ArchiveMatch& m : matches) m.query = run_of[m.query];
  return matches;
}

// Whether each run article is its copy group's original: the run's
// original, unless the group has an original outside the window (which
// stays the first publication).
absl::StatusOr<std::vector<bool>> Index::Impl::Originals(
    const absl::flat_hash_set<int64_t>& window_rows, const Clustering& c,
    const std::vector<int64_t>& copy_group_of) {
  absl::flat_hash_set<int64_t> original_outside;
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto outside,
      Statement::Prepare(db.get(),
                         "SELECT row FROM articles WHERE copy_group = ? "
                         "AND original = 1"));
  absl::flat_hash_set<int64_t> asked;
  for (int64_t id : copy_group_of) {
    if (!asked.insert(id).second) continue;
    outside.Bind(1, id);
    for (;;) {
      STORYCLUSTER_ASSIGN_OR_RETURN(const bool row, outside.Step());
      if (!row) break;
      if (!window_rows.contains(outside.Int(0))) original_outside.insert(id);
    }
    outside.Reset();
  }
  std::vector<bool> original(copy_group_of.size());
  for (size_t i = 0; i < original.size(); ++i) {
    original[i] = c.assignments[i].original &&
                  !original_outside.contains(copy_group_of[i]);
  }
  return original;
}

// Ids no cluster holds any more point to where most of their window
// members went (links); `next_*` moves past the ids given.
absl::Status Index::Impl::RecordLinks(const Mapped (&mapped)[3],
                                      const int64_t (&next)[3],
                                      AddResult* result) {
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto link,
      Statement::Prepare(db.get(), "INSERT INTO links VALUES(?, ?, ?, ?)"));
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto drop_representative,
      Statement::Prepare(db.get(),
                         "DELETE FROM event_representatives WHERE event = ?"));
  static constexpr const char* kColumns[3] = {"copy_group", "event", "story"};
  static constexpr char kPrefix[3] = {'d', 'e', 's'};
  for (int level = 0; level < 3; ++level) {
    STORYCLUSTER_ASSIGN_OR_RETURN(
        auto still,
        Statement::Prepare(db.get(),
                           absl::StrCat("SELECT 1 FROM articles WHERE ",
                                        kColumns[level], " = ? LIMIT 1")));
    for (const auto& [from, into] : mapped[level].dropped) {
      still.Bind(1, from);
      STORYCLUSTER_ASSIGN_OR_RETURN(const bool held, still.Step());
      still.Reset();
      if (held) continue;  // members outside the window keep it
      if (level == 1) {
        drop_representative.Bind(1, from);
        STORYCLUSTER_RETURN_IF_ERROR(drop_representative.Run());
      }
      const IndexLink l{
          ClusterId(kPrefix[level], static_cast<uint32_t>(from - 1)),
          ClusterId(kPrefix[level], static_cast<uint32_t>(into - 1))};
      link.Bind(1, result->batch);
      link.Bind(2, std::string_view(kColumns[level]));
      link.Bind(3, std::string_view(l.from));
      link.Bind(4, std::string_view(l.into));
      STORYCLUSTER_RETURN_IF_ERROR(link.Run());
      result->links.push_back(l);
    }
    STORYCLUSTER_ASSIGN_OR_RETURN(
        auto advance, Statement::Prepare(db.get(),
                                         "UPDATE meta SET value = ? WHERE "
                                         "key = ?"));
    advance.Bind(1, std::string_view(absl::StrCat(next[level])));
    advance.Bind(2, std::string_view(kNextKeys[level]));
    STORYCLUSTER_RETURN_IF_ERROR(advance.Run());
  }
  return absl::OkStatus();
}

absl::StatusOr<AddResult> Index::Add(absl::Span<const Article> articles) {
  Impl& x = *impl_;
  if (x.options.read_only) {
    return absl::FailedPreconditionError(
        absl::StrCat(x.path, " is open read-only"));
  }
  AddResult result;
  absl::Time stage_start = absl::Now();
  auto mark = [&](const char* stage) {
    const absl::Time now = absl::Now();
    result.stages.push_back(
        MeasureStage(stage, absl::ToDoubleSeconds(now - stage_start)));
    stage_start = now;
  };
  sqlite3* db = x.db.get();
  STORYCLUSTER_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db, true));
  std::vector<const Article*> fresh;
  STORYCLUSTER_RETURN_IF_ERROR(x.SkipKnown(articles, &fresh, &result));
  if (fresh.empty()) return result;  // nothing stored, no batch recorded
  STORYCLUSTER_ASSIGN_OR_RETURN(const std::vector<StoredRow> window,
                                x.ReadWindow(fresh));
  result.window_articles = window.size();
  const size_t archive = window.size();
  std::vector<Article> run;
  run.reserve(window.size() + fresh.size());
  for (const StoredRow& r : window) run.push_back(r.entry.article);
  for (const Article* a : fresh) {
    run.push_back(*a);
    // Stored to the second (the schema's unit), and clustered as stored, so
    // that a later window sees the same times.
    if (run.back().published) {
      run.back().published =
          absl::FromUnixSeconds(absl::ToUnixSeconds(*run.back().published));
    }
  }
  mark("index window");

  // 3. The batch with its window, as `cluster` would do it, with terms
  //    weighed like the whole archive (Background).
  const PipelineOptions& pipeline = x.options.pipeline;
  STORYCLUSTER_ASSIGN_OR_RETURN(
      const std::vector<ArticleFeatures> features,
      ExtractFeatures(run, pipeline.features, pipeline.threads));
  mark("features");
  ClusterOptions cluster = pipeline.cluster;
  cluster.threads = cluster.copies.threads = pipeline.threads;
  std::vector<bool> window_original(archive);
  for (size_t i = 0; i < archive; ++i) {
    window_original[i] = window[i].entry.assignment.original;
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(cluster.background_df,
                                Background(db, features, window_original));
  STORYCLUSTER_ASSIGN_OR_RETURN(const Clustering c,
                                ClusterArticles(run, features, cluster));
  mark("cluster");

  std::vector<ArchiveEntry> entries;
  entries.reserve(fresh.size());
  for (size_t i = archive; i < run.size(); ++i) {
    entries.push_back(x.signer->Sign(features[i].shingles));
  }
  absl::flat_hash_set<int64_t> window_rows;
  for (const StoredRow& r : window) {
    window_rows.insert(r.entry.article.origin.line);
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(const std::vector<ArchiveMatch> matches,
                                x.ArchiveCopies(window_rows, c, entries));
  result.archive_copies = matches.size();
  mark("archive copies");

  // 5. Ids: fresh clusters take the stored ids of their window members and
  //    of the archive articles their new articles copy (MapClusters).
  std::vector<uint32_t> fresh_of[3];
  for (const Assignment& a : c.assignments) {
    fresh_of[0].push_back(a.copy_group);
    fresh_of[1].push_back(a.event);
    fresh_of[2].push_back(a.story);
  }
  std::vector<std::pair<uint32_t, int64_t>> members[3], joins[3];
  for (size_t i = 0; i < archive; ++i) {
    const StoredRow& r = window[i];
    members[0].emplace_back(fresh_of[0][i], r.copy_group);
    members[1].emplace_back(fresh_of[1][i], r.event);
    members[2].emplace_back(fresh_of[2][i], r.story);
  }
  for (const ArchiveMatch& m : matches) {
    joins[0].emplace_back(fresh_of[0][m.query], m.copy_group);
    joins[1].emplace_back(fresh_of[1][m.query], m.event);
    joins[2].emplace_back(fresh_of[2][m.query], m.story);
  }
  const uint32_t num_fresh[3] = {c.num_copy_groups, c.num_events,
                                 c.num_stories};
  int64_t next[3];
  Mapped mapped[3];
  std::vector<int64_t> id_of[3];
  for (int level = 0; level < 3; ++level) {
    STORYCLUSTER_ASSIGN_OR_RETURN(
        next[level],
        sqlite::QueryInt(db, absl::StrCat("SELECT CAST(value AS INTEGER) FROM "
                                          "meta WHERE key='",
                                          kNextKeys[level], "'")));
    mapped[level] = MapClusters(fresh_of[level], num_fresh[level],
                                members[level], joins[level], &next[level]);
    for (uint32_t f : fresh_of[level])
      id_of[level].push_back(mapped[level].id[f]);
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(const std::vector<bool> original,
                                x.Originals(window_rows, c, id_of[0]));
  mark("index ids");

  // 6. Stored in the same transaction.
  STORYCLUSTER_ASSIGN_OR_RETURN(
      result.batch,
      sqlite::QueryInt(db, "SELECT COALESCE(MAX(batch), 0) + 1 FROM batches"));
  {
    STORYCLUSTER_ASSIGN_OR_RETURN(
        auto batch,
        Statement::Prepare(db, "INSERT INTO batches VALUES(?, ?, ?, ?)"));
    batch.Bind(1, result.batch);
    batch.Bind(2, std::string_view(absl::FormatTime(
                      absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone())));
    batch.Bind(3, static_cast<int64_t>(fresh.size()));
    batch.Bind(4, static_cast<int64_t>(window.size()));
    STORYCLUSTER_RETURN_IF_ERROR(batch.Run());
  }
  std::vector<size_t> gained, lost;
  for (size_t i = 0; i < run.size(); ++i) {
    const bool was = i < archive && window[i].entry.assignment.original;
    if (original[i] && !was) gained.push_back(i);
    if (!original[i] && was) lost.push_back(i);
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto update,
      Statement::Prepare(db,
                         "UPDATE articles SET copy_group = ?, original = ?, "
                         "event = ?, story = ? WHERE row = ?"));
  for (size_t i = 0; i < archive; ++i) {
    const StoredRow& r = window[i];
    if (r.copy_group == id_of[0][i] && r.event == id_of[1][i] &&
        r.story == id_of[2][i] && r.entry.assignment.original == original[i]) {
      continue;
    }
    update.Bind(1, id_of[0][i]);
    update.Bind(2, static_cast<int64_t>(original[i] ? 1 : 0));
    update.Bind(3, id_of[1][i]);
    update.Bind(4, id_of[2][i]);
    update.Bind(5, r.entry.article.origin.line);
    STORYCLUSTER_RETURN_IF_ERROR(update.Run());
    ++result.window_moved;
  }
  // Members of an event outside the window follow its storyline (also of
  // an archive event a new copy joined).
  {
    STORYCLUSTER_ASSIGN_OR_RETURN(
        auto follow, Statement::Prepare(db,
                                        "UPDATE articles SET story = ? "
                                        "WHERE event = ? AND story <> ?"));
    absl::flat_hash_set<int64_t> done;
    for (size_t i = 0; i < run.size(); ++i) {
      if (!done.insert(id_of[1][i]).second) continue;
      follow.Bind(1, id_of[2][i]);
      follow.Bind(2, id_of[1][i]);
      follow.Bind(3, id_of[2][i]);
      STORYCLUSTER_RETURN_IF_ERROR(follow.Run());
    }
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto insert,
      Statement::Prepare(db,
                         "INSERT INTO articles(id, title, text, source, url, "
                         "published, batch, copy_group, original, event, "
                         "story) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  STORYCLUSTER_ASSIGN_OR_RETURN(auto signatures,
                                index_internal::EntryWriter::Prepare(db));
  for (size_t i = archive; i < run.size(); ++i) {
    const Article& a = run[i];
    const Assignment& fa = c.assignments[i];
    IndexAssignment as;
    as.id = a.id;
    as.copy_group = ClusterId('d', static_cast<uint32_t>(id_of[0][i] - 1));
    as.event = ClusterId('e', static_cast<uint32_t>(id_of[1][i] - 1));
    as.story = ClusterId('s', static_cast<uint32_t>(id_of[2][i] - 1));
    as.original = original[i];
    as.new_copy_group = mapped[0].started[fa.copy_group];
    as.new_event = mapped[1].started[fa.event];
    as.new_story = mapped[2].started[fa.story];
    insert.Bind(1, std::string_view(a.id));
    insert.Bind(2, std::string_view(a.title));
    insert.Bind(3, std::string_view(a.text));
    insert.Bind(4, std::string_view(a.source));
    insert.Bind(5, std::string_view(a.url));
    insert.Bind(6, UnixSeconds(a.published));
    insert.Bind(7, result.batch);
    insert.Bind(8, id_of[0][i]);
    insert.Bind(9, static_cast<int64_t>(original[i] ? 1 : 0));
    insert.Bind(10, id_of[1][i]);
    insert.Bind(11, id_of[2][i]);
    STORYCLUSTER_RETURN_IF_ERROR(insert.Run());
    STORYCLUSTER_RETURN_IF_ERROR(
        signatures.Write(sqlite3_last_insert_rowid(db), entries[i - archive]));
    result.added.push_back(std::move(as));
  }
  STORYCLUSTER_RETURN_IF_ERROR(signatures.Finish());
  // Each event of the run takes the representative its run chose (the
  // original closest to its centroid).
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto representative,
      Statement::Prepare(db,
                         "INSERT OR REPLACE INTO event_representatives "
                         "VALUES(?, ?)"));
  for (uint32_t e = 0; e < c.num_events; ++e) {
    representative.Bind(1, mapped[1].id[e]);
    representative.Bind(2, std::string_view(run[c.event_representative[e]].id));
    STORYCLUSTER_RETURN_IF_ERROR(representative.Run());
  }
  STORYCLUSTER_RETURN_IF_ERROR(x.RecordLinks(mapped, next, &result));
  STORYCLUSTER_RETURN_IF_ERROR(CountTerms(db, features, gained, lost));
  mark("store");
  STORYCLUSTER_RETURN_IF_ERROR(txn.Commit());
  mark("commit");
  return result;
}

absl::StatusOr<std::optional<IndexedArticle>> Index::Lookup(
    std::string_view id) {
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto s, Statement::Prepare(impl_->db.get(),
                                 absl::StrCat("SELECT ", ArticleColumns(),
                                              " FROM articles WHERE id=?")));
  s.Bind(1, id);
  STORYCLUSTER_ASSIGN_OR_RETURN(const bool row, s.Step());
  if (!row) return std::nullopt;
  return ReadRow(s, impl_->path).entry;
}

absl::StatusOr<std::vector<IndexedArticle>> Index::Members(
    std::string_view cluster) {
  int64_t number = 0;
  const char* column = nullptr;
  if (!cluster.empty()) {
    column = cluster[0] == 'e'   ? "event"
             : cluster[0] == 's' ? "story"
             : cluster[0] == 'd' ? "copy_group"
                                 : nullptr;
  }
  if (column == nullptr ||
      !absl::SimpleAtoi(
          absl::string_view(cluster.data() + 1, cluster.size() - 1), &number) ||
      number < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", std::string(cluster),
                     "' is not a cluster id (dN, eN or sN, as in the output)"));
  }
  // An id that a later batch dropped names the cluster its members went to
  // (links); followed to the end.
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto follow,
      Statement::Prepare(impl_->db.get(),
                         "SELECT into_id FROM links WHERE level = ? AND "
                         "from_id = ? ORDER BY batch DESC LIMIT 1"));
  std::string current(cluster);
  for (int hops = 0; hops < 1000; ++hops) {
    follow.Bind(1, std::string_view(column));
    follow.Bind(2, std::string_view(current));
    STORYCLUSTER_ASSIGN_OR_RETURN(const bool row, follow.Step());
    const std::string into = row ? follow.Text(0) : std::string();
    follow.Reset();
    if (!row || into == current) break;
    current = into;
  }
  if (current != cluster &&
      !absl::SimpleAtoi(
          absl::string_view(current.data() + 1, current.size() - 1), &number)) {
    return absl::InternalError(absl::StrCat("bad link target ", current));
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto rows, impl_->Query(absl::StrCat("WHERE ", column, "=? ORDER BY row"),
                              {number}));
  std::vector<IndexedArticle> out;
  out.reserve(rows.size());
  for (StoredRow& r : rows) out.push_back(std::move(r.entry));
  return out;
}

absl::StatusOr<Index::SnapshotResult> Index::Snapshot() {
  STORYCLUSTER_ASSIGN_OR_RETURN(auto txn,
                                Transaction::Begin(impl_->db.get(), false));
  STORYCLUSTER_ASSIGN_OR_RETURN(auto rows, impl_->Query("ORDER BY row", {}));
  STORYCLUSTER_ASSIGN_OR_RETURN(auto reps,
                                Statement::Prepare(impl_->db.get(),
                                                   "SELECT event, article FROM "
                                                   "event_representatives"));
  absl::flat_hash_map<std::string, int64_t> representative_of;
  for (;;) {
    STORYCLUSTER_ASSIGN_OR_RETURN(const bool row, reps.Step());
    if (!row) break;
    representative_of[reps.Text(1)] = reps.Int(0);
  }
  STORYCLUSTER_RETURN_IF_ERROR(txn.Commit());
  SnapshotResult out;
  Clustering& c = out.clustering;
  c.assignments.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const StoredRow& r = rows[i];
    Assignment& a = c.assignments[i];
    a.copy_group = static_cast<uint32_t>(r.copy_group - 1);
    a.event = static_cast<uint32_t>(r.event - 1);
    a.story = static_cast<uint32_t>(r.story - 1);
    a.original = r.entry.assignment.original;
    c.num_copy_groups = std::max(c.num_copy_groups, a.copy_group + 1);
    c.num_events = std::max(c.num_events, a.event + 1);
    c.num_stories = std::max(c.num_stories, a.story + 1);
  }
  // An event's representative as stored; else (never for an index this
  // version wrote) its first original, or its first member.
  constexpr uint32_t kNone = ~uint32_t{0};
  c.event_representative.assign(c.num_events, kNone);
  for (uint32_t i = 0; i < rows.size(); ++i) {
    const auto it = representative_of.find(rows[i].entry.article.id);
    if (it != representative_of.end() && it->second == rows[i].event) {
      c.event_representative[c.assignments[i].event] = i;
    }
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (uint32_t i = 0; i < rows.size(); ++i) {
      uint32_t& rep = c.event_representative[c.assignments[i].event];
      if (rep == kNone && (pass == 1 || c.assignments[i].original)) rep = i;
    }
  }
  for (uint32_t& rep : c.event_representative) {
    if (rep == kNone) rep = 0;  // an id with no members: never shown
  }
  out.ingest.articles.reserve(rows.size());
  for (StoredRow& r : rows) {
    out.ingest.stats.bytes += static_cast<int64_t>(
        r.entry.article.title.size() + r.entry.article.text.size());
    out.ingest.articles.push_back(std::move(r.entry.article));
  }
  out.ingest.stats.read = out.ingest.stats.accepted =
      static_cast<int64_t>(out.ingest.articles.size());
  return out;
}

absl::StatusOr<IndexStats> Index::Stats() {
  sqlite3* db = impl_->db.get();
  STORYCLUSTER_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db, false));
  IndexStats s;
  s.schema_version = kIndexSchemaVersion;
  s.window_days = impl_->schema.window_days;
  const std::pair<int64_t*, const char*> counts[] = {
      {&s.articles, "SELECT COUNT(*) FROM articles"},
      {&s.batches, "SELECT COUNT(*) FROM batches"},
      {&s.copy_groups,
       "SELECT COUNT(*) FROM (SELECT copy_group FROM articles GROUP BY "
       "copy_group HAVING COUNT(*) > 1)"},
      {&s.events, "SELECT COUNT(DISTINCT event) FROM articles"},
      {&s.storylines, "SELECT COUNT(DISTINCT story) FROM articles"},
      {&s.links, "SELECT COUNT(*) FROM links"},
      {&s.compacted, "SELECT COUNT(*) FROM articles WHERE compacted = 1"},
      {&s.database_bytes,
       "SELECT (page_count - freelist_count) * page_size FROM "
       "pragma_page_count(), pragma_freelist_count(), pragma_page_size()"}};
  for (const auto& [field, sql] : counts) {
    STORYCLUSTER_ASSIGN_OR_RETURN(*field, sqlite::QueryInt(db, sql));
  }
  constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
  STORYCLUSTER_ASSIGN_OR_RETURN(
      const int64_t first,
      sqlite::QueryInt(db, "SELECT MIN(published) FROM articles", kNone));
  STORYCLUSTER_ASSIGN_OR_RETURN(
      const int64_t last,
      sqlite::QueryInt(db, "SELECT MAX(published) FROM articles", kNone));
  if (first != kNone) s.first_published = absl::FromUnixSeconds(first);
  if (last != kNone) s.last_published = absl::FromUnixSeconds(last);
  STORYCLUSTER_RETURN_IF_ERROR(txn.Commit());
  return s;
}

absl::StatusOr<CompactResult> Index::Compact(absl::Time before) {
  Impl& x = *impl_;
  if (x.options.read_only) {
    return absl::FailedPreconditionError(
        absl::StrCat(x.path, " is open read-only"));
  }
  sqlite3* db = x.db.get();
  CompactResult result;
  {
    STORYCLUSTER_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db, true));
    STORYCLUSTER_ASSIGN_OR_RETURN(
        auto compact,
        Statement::Prepare(
            db,
            "UPDATE articles SET text = '', compacted = 1 WHERE compacted = 0 "
            "AND (published < ?1 OR (published IS NULL AND batch IN "
            "(SELECT batch FROM batches WHERE added_at < ?2)))"));
    compact.Bind(1, absl::ToUnixSeconds(before));
    // added_at is RFC 3339 in UTC: its text order is time order.
    compact.Bind(2, std::string_view(absl::FormatTime(absl::RFC3339_sec, before,
                                                      absl::UTCTimeZone())));
    STORYCLUSTER_RETURN_IF_ERROR(compact.Run());
    result.compacted = sqlite3_changes64(db);
    STORYCLUSTER_RETURN_IF_ERROR(txn.Commit());
  }
  // The text's pages go back to the file system (auto_vacuum=INCREMENTAL,
  // set when the index was created; a migrated version-1 index reuses them
  // for later adds instead), and the log is folded into the file.
  STORYCLUSTER_RETURN_IF_ERROR(Exec(db, "PRAGMA incremental_vacuum"));
  STORYCLUSTER_RETURN_IF_ERROR(Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"));
  return result;
}

}  // namespace storycluster
