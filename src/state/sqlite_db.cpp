#include "state/sqlite_db.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace airlock::state::detail {
namespace {

// The store holds statement text and parameters, which may be personal data: the file is
// created readable by its owner only. SQLite gives the -wal and -shm files the same mode.
Status create_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(sqlstate::kInternalError,
                "state store " + path + ": cannot create the file: " + std::strerror(errno));
  }
  ::close(fd);
  return {};
}

}  // namespace

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<Db> Db::open(const std::string& path, bool create) {
  if (create) {
    if (auto created = create_private_file(path); !created) return std::unexpected(created.error());
  } else if (::access(path.c_str(), F_OK) != 0) {
    return fail(sqlstate::kInternalError, "state store " + path + " does not exist");
  }
  Db db;
  db.path_ = path;
  int rc = sqlite3_open_v2(path.c_str(), &db.db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    // Even on failure SQLite usually hands back a handle that holds the message.
    std::string message = db.db_ != nullptr ? sqlite3_errmsg(db.db_) : sqlite3_errstr(rc);
    return fail(sqlstate::kInternalError, "state store " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db.db_, 1);
  return db;
}

Status Db::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return failure(sql);
  return {};
}

std::unexpected<Error> Db::failure(std::string_view what) const {
  int code = sqlite3_errcode(db_);
  std::string message = "state store " + path_ + ": ";
  if ((code & 0xff) == SQLITE_BUSY) {
    message += "locked by another process for longer than the busy timeout";
  } else {
    message += sqlite3_errmsg(db_);
  }
  return fail(sqlstate::kInternalError, std::move(message), std::string(what));
}

Stmt::Stmt(Db& db, const char* sql) : db_(db) {
  error_ = sqlite3_prepare_v2(db.handle(), sql, -1, &stmt_, nullptr);
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::bind(int index, std::string_view text) {
  // A null data pointer would bind SQL NULL, and NULL = '' is not true: empty text is "".
  const char* data = text.data() != nullptr ? text.data() : "";
  if (error_ == SQLITE_OK) {
    error_ = sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  return *this;
}

Stmt& Stmt::bind(int index, std::int64_t value) {
  if (error_ == SQLITE_OK) error_ = sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Stmt& Stmt::bind(int index, std::optional<std::int64_t> value) {
  if (value) return bind(index, *value);
  if (error_ == SQLITE_OK) error_ = sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Stmt::step() {
  if (error_ != SQLITE_OK) return db_.failure(stmt_ ? sqlite3_sql(stmt_) : "prepare");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_.failure(sqlite3_sql(stmt_));
}

Status Stmt::run() {
  auto row = step();
  if (!row) return std::unexpected(row.error());
  return {};
}

std::string Stmt::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t Stmt::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<std::int64_t> Stmt::optional_integer(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return integer(column);
}

WriteTx::~WriteTx() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status WriteTx::begin() {
  if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
  open_ = true;
  return {};
}

Status WriteTx::commit() {
  if (auto s = db_.exec("COMMIT"); !s) return s;  // the destructor rolls back
  open_ = false;
  return {};
}

}  // namespace airlock::state::detail
