// Opening the store: connection settings and the schema.
#include "state/sqlite_store.hpp"

#include "state/sqlite_store_impl.hpp"

namespace airlock::state {
namespace {

using detail::Db;
using detail::Stmt;
using detail::WriteTx;

// Bump when the tables change, and migrate older files in ensure_schema.
constexpr std::int64_t kSchemaVersion = 1;

// Expiry is not stored: a pending or approved row whose expires_ms has passed is reported
// as expired (sqlite_approvals.cpp), so no sweeper has to run for the state to be right.
// Tables added later (tokens, token_events) are created by the same IF NOT EXISTS script,
// so older files gain them on open; an older airlock ignores them.
// budget_charges ids use AUTOINCREMENT so that a refund of a stale id can never remove a
// later charge that reused it.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS approvals (
  id             TEXT PRIMARY KEY,
  agent          TEXT NOT NULL,
  statement_hash TEXT NOT NULL,
  sql            TEXT NOT NULL,
  params         TEXT NOT NULL,
  row_count      INTEGER,
  rule           TEXT NOT NULL,
  reason         TEXT NOT NULL,
  created_ms     INTEGER NOT NULL,
  expires_ms     INTEGER NOT NULL,
  status         TEXT NOT NULL
                 CHECK (status IN ('pending', 'approved', 'denied', 'executed', 'expired')),
  decided_by     TEXT NOT NULL DEFAULT '',
  note           TEXT NOT NULL DEFAULT '',
  decided_ms     INTEGER NOT NULL DEFAULT 0,
  executed_ms    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS approvals_by_statement ON approvals (agent, statement_hash, status);
CREATE INDEX IF NOT EXISTS approvals_by_created ON approvals (created_ms);
CREATE TABLE IF NOT EXISTS budget_charges (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  agent     TEXT NOT NULL,
  budget    TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  at_ms     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS budget_charges_by_window ON budget_charges (agent, budget, at_ms);
CREATE TABLE IF NOT EXISTS tokens (
  id          TEXT PRIMARY KEY,
  agent       TEXT NOT NULL,
  allow       TEXT NOT NULL,
  max_rows    INTEGER,
  reason      TEXT NOT NULL,
  verifier    TEXT NOT NULL,
  request_id  TEXT NOT NULL DEFAULT '',
  issued_by   TEXT NOT NULL DEFAULT '',
  created_ms  INTEGER NOT NULL,
  expires_ms  INTEGER NOT NULL,
  revoked_ms  INTEGER NOT NULL DEFAULT 0,
  revoked_by  TEXT NOT NULL DEFAULT '',
  sessions    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS token_events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  token      TEXT NOT NULL,
  agent      TEXT NOT NULL,
  event      TEXT NOT NULL CHECK (event IN ('issued', 'revoked', 'expired')),
  by_whom    TEXT NOT NULL DEFAULT '',
  at_ms      INTEGER NOT NULL,
  claimed_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS token_events_unclaimed ON token_events (claimed_ms, seq);
CREATE INDEX IF NOT EXISTS token_events_by_token ON token_events (token, event);
)sql";

Status configure(Db& db, const SqliteOptions& options) {
  if (sqlite3_busy_timeout(db.handle(), static_cast<int>(options.busy_timeout.count())) !=
      SQLITE_OK) {
    return db.failure("busy_timeout");
  }
  // WAL: the CLI's and the gateway's readers never block each other or the writer.
  Stmt wal(db, "PRAGMA journal_mode = WAL");
  auto row = wal.step();
  if (!row) return std::unexpected(row.error());
  if (!*row || wal.text(0) != "wal") {
    return fail(sqlstate::kInternalError,
                "state store " + db.path() + ": cannot switch to WAL mode (journal_mode is " +
                    (*row ? wal.text(0) : std::string("unknown")) +
                    "); the file must be on a local file system");
  }
  // FULL: a consumed approval must stay consumed after a power loss, or it could run twice.
  return db.exec("PRAGMA synchronous = FULL");
}

Status ensure_schema(Db& db) {
  WriteTx tx(db);
  if (auto s = tx.begin(); !s) return s;
  if (auto s = db.exec(kSchema); !s) return s;
  Stmt read(db, "SELECT max(version) FROM schema_version");
  auto row = read.step();
  if (!row) return std::unexpected(row.error());
  std::optional<std::int64_t> version = *row ? read.optional_integer(0) : std::nullopt;
  if (!version) {
    Stmt insert(db, "INSERT INTO schema_version (version) VALUES (?1)");
    if (auto s = insert.bind(1, kSchemaVersion).run(); !s) return s;
  } else if (*version > kSchemaVersion) {
    return fail(sqlstate::kInternalError,
                "state store " + db.path() + " has schema version " + std::to_string(*version) +
                    ", newer than this airlock understands (" + std::to_string(kSchemaVersion) +
                    "); use the airlock release that wrote it");
  }
  return tx.commit();
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const SqliteOptions& options) {
  if (path.empty()) return fail(sqlstate::kInternalError, "state store: no file name given");
  auto db = Db::open(path, options.create);
  if (!db) return std::unexpected(db.error());
  if (auto s = configure(*db, options); !s) return std::unexpected(s.error());
  if (auto s = ensure_schema(*db); !s) return std::unexpected(s.error());
  return std::make_unique<detail::SqliteStore>(std::move(*db));
}

}  // namespace airlock::state
