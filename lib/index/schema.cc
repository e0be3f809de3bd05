// The index's schema (schema.h).
#include "lib/index/schema.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/index/sqlite.h"
#include "storycluster/pipeline.h"
#include "storycluster/status.h"

namespace storycluster::index_internal {
namespace {

using sqlite::Exec;
using sqlite::Statement;
using sqlite::Transaction;

constexpr char kFormatName[] = "storycluster-index";

// Version 1 (docs/index.md documents every table and view). Ids are
// stored as numbers; the views show them as `cluster` writes them. A new
// index is made as version 1 and migrated, so that a migrated index and a
// new one have the same tables.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE batches(
  batch INTEGER PRIMARY KEY,
  added_at TEXT NOT NULL,
  articles INTEGER NOT NULL,
  window_articles INTEGER NOT NULL);
CREATE TABLE articles(
  row INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  source TEXT NOT NULL,
  url TEXT NOT NULL,
  published INTEGER,
  batch INTEGER NOT NULL REFERENCES batches(batch),
  copy_group INTEGER NOT NULL,
  original INTEGER NOT NULL,
  event INTEGER NOT NULL,
  story INTEGER NOT NULL);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_copy_group ON articles(copy_group);
CREATE INDEX articles_event ON articles(event);
CREATE INDEX articles_story ON articles(story);
CREATE TABLE term_frequencies(
  term TEXT PRIMARY KEY,
  df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE event_representatives(
  event INTEGER PRIMARY KEY,
  article TEXT NOT NULL);
CREATE TABLE links(
  batch INTEGER NOT NULL REFERENCES batches(batch),
  level TEXT NOT NULL,
  from_id TEXT NOT NULL,
  into_id TEXT NOT NULL);
CREATE VIEW copy_groups AS
  SELECT 'd' || copy_group AS copy_group, COUNT(*) AS articles,
         MAX(CASE WHEN original THEN id END) AS original
  FROM articles GROUP BY copy_group;
CREATE VIEW events AS
  SELECT 'e' || event AS event, 's' || MIN(story) AS story,
         COUNT(*) AS articles,
         datetime(MIN(published), 'unixepoch') AS first_published,
         datetime(MAX(published), 'unixepoch') AS last_published
  FROM articles GROUP BY event;
CREATE VIEW storylines AS
  SELECT 's' || story AS story, COUNT(DISTINCT event) AS events,
         COUNT(*) AS articles,
         datetime(MIN(published), 'unixepoch') AS first_published,
         datetime(MAX(published), 'unixepoch') AS last_published
  FROM articles GROUP BY story;
)sql";

// Version 2: copies against the whole archive (archive.h) and compaction.
// Each article keeps its MinHash signature and LSH band keys, made in the
// format the meta table names; a compacted article keeps its ids, title
// and signature but no text, and never joins a window again.
constexpr char kMigrateV1ToV2[] = R"sql(
ALTER TABLE articles ADD COLUMN compacted INTEGER NOT NULL DEFAULT 0;
CREATE TABLE copy_bands(
  first_row INTEGER PRIMARY KEY,
  rows BLOB NOT NULL,
  shingles BLOB NOT NULL,
  bands BLOB NOT NULL);
CREATE TABLE signatures(
  row INTEGER PRIMARY KEY,
  shingles INTEGER NOT NULL,
  minhash BLOB NOT NULL);
)sql";

absl::Status PutMeta(sqlite3* db, const std::string& key,
                     const std::string& value) {
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto meta,
      Statement::Prepare(db, "INSERT OR REPLACE INTO meta VALUES(?, ?)"));
  meta.Bind(1, std::string_view(key));
  meta.Bind(2, std::string_view(value));
  return meta.Run();
}

// Signs every stored article (version 1 kept no signatures), in chunks of
// `kChunk` (the furniture filter is learned per chunk, as an add learns it
// per batch and window).
absl::Status SignStored(sqlite3* db, const ArchiveSigner& signer,
                        const IndexOptions& options) {
  constexpr int64_t kChunk = 10000;
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto read,
      Statement::Prepare(db, absl::StrCat("SELECT ", kArticleFields,
                                          " FROM articles WHERE row > ? ORDER "
                                          "BY row LIMIT ?")));
  STORYCLUSTER_ASSIGN_OR_RETURN(auto writer, EntryWriter::Prepare(db));
  int64_t after = 0;
  for (;;) {
    read.Bind(1, after);
    read.Bind(2, kChunk);
    std::vector<Article> chunk;
    std::vector<int64_t> rows;
    for (;;) {
      STORYCLUSTER_ASSIGN_OR_RETURN(const bool row, read.Step());
      if (!row) break;
      rows.push_back(read.Int(0));
      chunk.push_back(ReadArticleFields(read));
    }
    read.Reset();
    if (chunk.empty()) return absl::OkStatus();
    STORYCLUSTER_ASSIGN_OR_RETURN(
        const auto features, ExtractFeatures(chunk, options.pipeline.features,
                                             options.pipeline.threads));
    for (size_t i = 0; i < chunk.size(); ++i) {
      STORYCLUSTER_RETURN_IF_ERROR(
          writer.Write(rows[i], signer.Sign(features[i].shingles)));
    }
    STORYCLUSTER_RETURN_IF_ERROR(writer.Finish());
    after = rows.back();
  }
}

absl::Status MigrateV1ToV2(sqlite3* db, const IndexOptions& options) {
  STORYCLUSTER_RETURN_IF_ERROR(Exec(db, kMigrateV1ToV2));
  const ArchiveFormat f = ArchiveFormatFor(options.pipeline.cluster.copies);
  const std::pair<std::string, std::string> rows[] = {
      {"signature_version", absl::StrCat(f.signature.version)},
      {"signature_hashes", absl::StrCat(f.signature.num_hashes)},
      {"signature_seed", absl::StrCat(f.signature.seed)},
      {"lsh_bands", absl::StrCat(f.bands)},
      {"lsh_rows", absl::StrCat(f.rows)},
      {"lsh_seed", absl::StrCat(f.lsh_seed)}};
  for (const auto& [key, value] : rows) {
    STORYCLUSTER_RETURN_IF_ERROR(PutMeta(db, key, value));
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(auto signer, ArchiveSigner::Create(f));
  STORYCLUSTER_RETURN_IF_ERROR(SignStored(db, signer, options));
  STORYCLUSTER_RETURN_IF_ERROR(PutMeta(db, "schema_version", "2"));
  return Exec(db, "PRAGMA user_version=2");
}

absl::StatusOr<absl::flat_hash_map<std::string, std::string>> ReadMeta(
    sqlite3* db) {
  STORYCLUSTER_ASSIGN_OR_RETURN(
      auto meta, Statement::Prepare(db, "SELECT key, value FROM meta"));
  absl::flat_hash_map<std::string, std::string> values;
  for (;;) {
    STORYCLUSTER_ASSIGN_OR_RETURN(const bool row, meta.Step());
    if (!row) break;
    values[meta.Text(0)] = meta.Text(1);
  }
  return values;
}

}  // namespace

Article ReadArticleFields(const Statement& s) {
  Article a;
  a.id = s.Text(1);
  a.title = s.Text(2);
  a.text = s.Text(3);
  a.source = s.Text(4);
  a.url = s.Text(5);
  if (!s.IsNull(6)) a.published = absl::FromUnixSeconds(s.Int(6));
  return a;
}

absl::Status CreateSchema(sqlite3* db, const IndexOptions& options) {
  // Before the first table: pages freed by compaction go back to the file
  // system (index compact runs PRAGMA incremental_vacuum).
  STORYCLUSTER_RETURN_IF_ERROR(Exec(db, "PRAGMA auto_vacuum=INCREMENTAL"));
  // journal_mode is kept in the file: every later connection uses the log.
  STORYCLUSTER_RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode=WAL"));
  STORYCLUSTER_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db, true));
  STORYCLUSTER_RETURN_IF_ERROR(Exec(db, kSchemaV1));
  const std::pair<std::string, std::string> rows[] = {
      {"format", kFormatName},
      {"window_days", absl::StrCat(options.window_days)},
      {"df_documents", "0"},
      {"next_copy_group", "1"},
      {"next_event", "1"},
      {"next_story", "1"},
      {"created_at",
       absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone())}};
  for (const auto& [key, value] : rows) {
    STORYCLUSTER_RETURN_IF_ERROR(PutMeta(db, key, value));
  }
  STORYCLUSTER_RETURN_IF_ERROR(MigrateV1ToV2(db, options));
  static_assert(kIndexSchemaVersion == 2, "CreateSchema migrates to 2");
  return txn.Commit();
}

absl::StatusOr<SchemaInfo> CheckSchema(sqlite3* db, const std::string& path,
                                       const IndexOptions& options) {
  STORYCLUSTER_ASSIGN_OR_RETURN(const int64_t version,
                                sqlite::QueryInt(db, "PRAGMA user_version"));
  STORYCLUSTER_ASSIGN_OR_RETURN(
      const int64_t has_meta,
      sqlite::QueryInt(db,
                       "SELECT COUNT(*) FROM sqlite_schema WHERE type='table' "
                       "AND name='meta'"));
  if (version == 0 || has_meta == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path,
                     " is not a storycluster index (no schema version; "
                     "create one with `storycluster index create`)"));
  }
  if (version == 1 && kIndexSchemaVersion == 2) {
    if (options.read_only) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " has index schema version 1; this storycluster reads version ",
          kIndexSchemaVersion,
          " and migrates an index when it opens it for writing (`storycluster "
          "index migrate ",
          path, "`)"));
    }
    STORYCLUSTER_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db, true));
    // Read again inside the transaction: another writer may have migrated.
    STORYCLUSTER_ASSIGN_OR_RETURN(const int64_t now,
                                  sqlite::QueryInt(db, "PRAGMA user_version"));
    if (now == 1) STORYCLUSTER_RETURN_IF_ERROR(MigrateV1ToV2(db, options));
    STORYCLUSTER_RETURN_IF_ERROR(txn.Commit());
    return CheckSchema(db, path, options);
  }
  if (version != kIndexSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " has index schema version ", version,
                     "; this storycluster reads version ", kIndexSchemaVersion,
                     version > kIndexSchemaVersion
                         ? " (the index was written by a newer storycluster)"
                         : " (no migration from that version exists)"));
  }
  STORYCLUSTER_ASSIGN_OR_RETURN(auto values, ReadMeta(db));
  SchemaInfo info;
  ArchiveFormat& f = info.archive;
  const bool ok =
      values["format"] == kFormatName &&
      absl::SimpleAtod(values["window_days"], &info.window_days) &&
      info.window_days > 0 &&
      absl::SimpleAtoi(values["signature_version"], &f.signature.version) &&
      absl::SimpleAtoi(values["signature_hashes"], &f.signature.num_hashes) &&
      absl::SimpleAtoi(values["signature_seed"], &f.signature.seed) &&
      absl::SimpleAtoi(values["lsh_bands"], &f.bands) &&
      absl::SimpleAtoi(values["lsh_rows"], &f.rows) &&
      absl::SimpleAtoi(values["lsh_seed"], &f.lsh_seed) && f.bands > 0 &&
      f.rows > 0 && f.signature.num_hashes > 0 &&
      static_cast<uint64_t>(f.bands) * f.rows <= f.signature.num_hashes;
  if (!ok) {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        " is not a storycluster index (its meta table lacks the format "
        "name, the window or the signature format)"));
  }
  return info;
}

}  // namespace storycluster::index_internal
