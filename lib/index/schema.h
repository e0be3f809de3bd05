// Internal: the index's schema (index.cc): creating a database, checking
// one that is opened, and migrating an older version (docs/index.md lists
// every table and each migration).
#ifndef STORYCLUSTER_LIB_INDEX_SCHEMA_H_
#define STORYCLUSTER_LIB_INDEX_SCHEMA_H_

#include <sqlite3.h>

#include <string>

#include "absl/status/statusor.h"
#include "lib/index/archive.h"
#include "lib/index/sqlite.h"
#include "storycluster/article.h"
#include "storycluster/index.h"

namespace storycluster::index_internal {

// The columns of `articles` that make an Article, in this order;
// ReadArticleFields reads them from a statement that selects them first.
inline constexpr char kArticleFields[] =
    "row, id, title, text, source, url, published";
// Columns 1 to 6 of kArticleFields (origin left empty).
Article ReadArticleFields(const sqlite::Statement& s);

// What an index's meta table fixes for its whole life.
struct SchemaInfo {
  double window_days = 0;
  ArchiveFormat archive;
};

// Makes the tables of kIndexSchemaVersion in the empty database `db`.
absl::Status CreateSchema(sqlite3* db, const IndexOptions& options);

// Checks that `db` (at `path`) is an index of kIndexSchemaVersion and
// reads its meta. An older version with a migration is migrated first
// when `options` allows writing (one transaction: it is all done or not
// at all); opened read-only, it is refused with the way to migrate it.
// FailedPrecondition for other versions and for files that are no index.
absl::StatusOr<SchemaInfo> CheckSchema(sqlite3* db, const std::string& path,
                                       const IndexOptions& options);

}  // namespace storycluster::index_internal

#endif  // STORYCLUSTER_LIB_INDEX_SCHEMA_H_
