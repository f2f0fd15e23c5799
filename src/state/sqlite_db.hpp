#pragma once
// Internal to the state library: a thin RAII layer over the SQLite C API. Every failure
// becomes an Error whose message names the file and carries SQLite's own text.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace airlock::state::detail {

class Db {
 public:
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  ~Db();

  // Opens (create: and creates) the file read-write. The connection is used under the
  // caller's mutex, so SQLite's own per-connection mutex is switched off.
  static Result<Db> open(const std::string& path, bool create);

  Status exec(const char* sql);  // statements without results, e.g. PRAGMA, DDL
  std::unexpected<Error> failure(std::string_view what) const;  // from the last SQLite error
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// One prepared statement. Bind indexes are 1-based, column indexes 0-based (SQLite's).
class Stmt {
 public:
  Stmt(Db& db, const char* sql);
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind(int index, std::string_view text);
  Stmt& bind(int index, std::int64_t value);
  Stmt& bind(int index, std::optional<std::int64_t> value);  // nullopt binds NULL

  // true: a row is available; false: done. A prepare or bind error surfaces here.
  Result<bool> step();
  Status run();  // step() expecting no row

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
  int error_ = SQLITE_OK;  // first prepare/bind error, reported by step()
};

// BEGIN IMMEDIATE ... COMMIT. IMMEDIATE takes the write lock up front (waiting up to the
// busy timeout), so a read-then-write never fails halfway with SQLITE_BUSY when another
// process (the CLI, a second gateway) wrote in between. Rolls back unless committed.
class WriteTx {
 public:
  explicit WriteTx(Db& db) : db_(db) {}
  WriteTx(const WriteTx&) = delete;
  WriteTx& operator=(const WriteTx&) = delete;
  ~WriteTx();

  Status begin();
  Status commit();

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace airlock::state::detail
