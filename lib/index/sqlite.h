// Internal: a thin layer over SQLite's C API for the index (index.cc):
// owning handles, and statements whose errors come back as absl::Status
// with SQLite's own message and the statement that failed.
#ifndef STORYCLUSTER_LIB_INDEX_SQLITE_H_
#define STORYCLUSTER_LIB_INDEX_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace storycluster::sqlite {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, CloseDb>;

// SQLite's result `code` on `db` as a Status: busy and locked are
// Unavailable (another writer), the rest Internal; `what` says what was
// being done.
absl::Status Error(sqlite3* db, int code, std::string_view what);

// Runs statements without results (DDL, pragmas, BEGIN/COMMIT).
absl::Status Exec(sqlite3* db, const std::string& sql);

// One prepared statement. Bind* take 1-based positions.
class Statement {
 public:
  static absl::StatusOr<Statement> Prepare(sqlite3* db, const std::string& sql);

  void Bind(int at, int64_t value);
  void Bind(int at, double value);
  void Bind(int at, std::string_view text);
  void Bind(int at, const std::optional<int64_t>& value);  // NULL when empty
  // 32-bit values as a BLOB, little-endian whatever the machine.
  void BindWords(int at, absl::Span<const uint32_t> words);

  // Steps once: true when a row is ready, false when done.
  absl::StatusOr<bool> Step();
  // Steps to the end (a statement without rows) and resets it for reuse.
  absl::Status Run();
  void Reset();

  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;
  // A BLOB written by BindWords; empty when its size is not a multiple of 4.
  std::vector<uint32_t> Words(int column) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
      : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
  std::string sql_;
};

// One integer from a query that returns one row (e.g. a count); `fallback`
// when it returns none or NULL.
absl::StatusOr<int64_t> QueryInt(sqlite3* db, const std::string& sql,
                                 int64_t fallback = 0);

// A transaction that rolls back unless Commit() ran.
class Transaction {
 public:
  // BEGIN IMMEDIATE (take the write lock now) or DEFERRED.
  static absl::StatusOr<Transaction> Begin(sqlite3* db, bool write);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  absl::Status Commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace storycluster::sqlite

#endif  // STORYCLUSTER_LIB_INDEX_SQLITE_H_
