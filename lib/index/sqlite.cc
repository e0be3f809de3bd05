// The SQLite layer of the index (sqlite.h).
#include "lib/index/sqlite.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace storycluster::sqlite {

absl::Status Error(sqlite3* db, int code, std::string_view what) {
  const std::string message =
      absl::StrCat(std::string(what), ": ",
                   db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  const int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return absl::UnavailableError(
        absl::StrCat(message, " (another process is writing to the index)"));
  }
  return absl::InternalError(message);
}

absl::Status Exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  const int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  if (code == SQLITE_OK) return absl::OkStatus();
  sqlite3_free(message);
  return Error(db, code, sql.substr(0, 60));
}

absl::StatusOr<Statement> Statement::Prepare(sqlite3* db,
                                             const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  const int code = sqlite3_prepare_v2(
      db, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (code != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(db, code, absl::StrCat("preparing ", sql.substr(0, 60)));
  }
  return Statement(db, stmt, sql);
}

void Statement::Bind(int at, int64_t value) {
  sqlite3_bind_int64(stmt_.get(), at, value);
}
void Statement::Bind(int at, double value) {
  sqlite3_bind_double(stmt_.get(), at, value);
}
void Statement::Bind(int at, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), at, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
}
void Statement::Bind(int at, const std::optional<int64_t>& value) {
  if (value) {
    Bind(at, *value);
  } else {
    sqlite3_bind_null(stmt_.get(), at);
  }
}

void Statement::BindWords(int at, absl::Span<const uint32_t> words) {
  std::vector<unsigned char> bytes(words.size() * 4);
  for (size_t i = 0; i < words.size(); ++i) {
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = (words[i] >> (8 * b)) & 0xff;
  }
  sqlite3_bind_blob(stmt_.get(), at, bytes.data(),
                    static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

absl::StatusOr<bool> Statement::Step() {
  const int code = sqlite3_step(stmt_.get());
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  return Error(db_, code, sql_.substr(0, 60));
}

absl::Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) {
      Reset();
      return row.status();
    }
    if (!*row) break;
  }
  Reset();
  return absl::OkStatus();
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}
double Statement::Double(int column) const {
  return sqlite3_column_double(stmt_.get(), column);
}
std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_.get(), column);
  const int bytes = sqlite3_column_bytes(stmt_.get(), column);
  return text == nullptr
             ? std::string()
             : std::string(reinterpret_cast<const char*>(text), bytes);
}
std::vector<uint32_t> Statement::Words(int column) const {
  const auto* bytes = static_cast<const unsigned char*>(
      sqlite3_column_blob(stmt_.get(), column));
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  std::vector<uint32_t> words;
  if (bytes == nullptr || size % 4 != 0) return words;
  words.resize(size / 4);
  for (size_t i = 0; i < words.size(); ++i) {
    words[i] = static_cast<uint32_t>(bytes[i * 4]) |
               static_cast<uint32_t>(bytes[i * 4 + 1]) << 8 |
               static_cast<uint32_t>(bytes[i * 4 + 2]) << 16 |
               static_cast<uint32_t>(bytes[i * 4 + 3]) << 24;
  }
  return words;
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

absl::StatusOr<int64_t> QueryInt(sqlite3* db, const std::string& sql,
                                 int64_t fallback) {
  auto stmt = Statement::Prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row || stmt->IsNull(0)) return fallback;
  return stmt->Int(0);
}

absl::StatusOr<Transaction> Transaction::Begin(sqlite3* db, bool write) {
  const absl::Status begun =
      Exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  if (!begun.ok()) return begun;
  return Transaction(db);
}
Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}
Transaction::~Transaction() {
  if (db_ != nullptr) Exec(db_, "ROLLBACK").IgnoreError();
}
absl::Status Transaction::Commit() {
  sqlite3* db = std::exchange(db_, nullptr);
  return Exec(db, "COMMIT");
}

}  // namespace storycluster::sqlite
