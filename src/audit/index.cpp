#include "audit/index.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "audit/files.hpp"
#include "audit/sqlite_util.hpp"

namespace airlock::audit {
namespace {

using detail::db_error;
using detail::Stmt;

// seq is the rowid: scans in seq order need no sort, and max(seq) is one lookup.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS audit_records (
  seq INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  agent TEXT NOT NULL,
  session TEXT NOT NULL,
  decision TEXT NOT NULL,
  rule TEXT NOT NULL,
  tables TEXT NOT NULL,
  statement TEXT NOT NULL,
  intent TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  offset INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_records_agent_time ON audit_records (agent, time_ms);
CREATE INDEX IF NOT EXISTS audit_records_session_seq ON audit_records (session, seq);
CREATE INDEX IF NOT EXISTS audit_records_decision ON audit_records (decision);
CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time_ms);
)sql";

constexpr const char* kColumns =
    "SELECT seq, time_ms, kind, agent, session, decision, rule, tables, statement, file, line, "
    "offset, intent FROM audit_records";

Hit read_hit(const Stmt& s) {
  Hit h;
  h.seq = static_cast<std::uint64_t>(s.i64(0));
  h.time_ms = s.i64(1);
  h.kind = s.text(2);
  h.agent = s.text(3);
  h.session = s.text(4);
  h.decision = s.text(5);
  h.rule = s.text(6);
  h.tables = s.text(7);
  h.statement = s.text(8);
  h.file = s.text(9);
  h.line = static_cast<std::uint64_t>(s.i64(10));
  h.offset = static_cast<std::uint64_t>(s.i64(11));
  h.intent = s.text(12);
  return h;
}

Result<std::vector<Hit>> collect(sqlite3* db, Stmt& s) {
  std::vector<Hit> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_hit(s));
  if (rc != SQLITE_DONE) return db_error(db, "query");
  return out;
}

}  // namespace

Result<Index> Index::open(const std::string& db_path) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(db_path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Index index(db);  // closes db on every return below
  if (rc != SQLITE_OK) {
    return fail(sqlstate::kInternalError, "audit index: cannot open " + db_path + ": " +
                                              (db ? sqlite3_errmsg(db) : "out of memory"));
  }
  // The state store shares this file; WAL lets the gateway write while a CLI reads.
  sqlite3_busy_timeout(db, 5000);
  if (auto s = detail::exec(db, "PRAGMA journal_mode=WAL"); !s) return std::unexpected(s.error());
  if (auto s = detail::exec(db, kSchema); !s) return std::unexpected(s.error());
  if (!Stmt(db, kColumns).ok()) {  // an older layout: the index is derived, start over
    const std::string rebuild =
        std::string("BEGIN IMMEDIATE; DROP TABLE IF EXISTS audit_records;") + kSchema + "COMMIT;";
    if (auto s = detail::exec(db, rebuild.c_str()); !s) {
      (void)detail::exec(db, "ROLLBACK");
      return std::unexpected(s.error());
    }
  }
  return index;
}

Index::Index(Index&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Index& Index::operator=(Index&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Index::~Index() { sqlite3_close(db_); }

Result<std::uint64_t> Index::indexed_seq() const {
  Stmt s(db_, "SELECT coalesce(max(seq), 0) FROM audit_records");
  if (!s.ok() || s.step() != SQLITE_ROW) return db_error(db_, "max(seq)");
  return static_cast<std::uint64_t>(s.i64(0));
}

Result<std::vector<Hit>> Index::search(const SearchFilter& f) const {
  std::string sql = kColumns;
  std::vector<std::string> where;
  if (!f.agent.empty()) where.push_back("agent = ?");
  if (f.since_ms) where.push_back("time_ms >= ?");
  if (!f.decision.empty()) where.push_back("decision = ?");
  if (!f.table.empty()) where.push_back("instr(tables, ?) > 0");
  if (!f.text.empty()) where.push_back("instr(statement, ?) > 0");
  if (!f.session.empty()) where.push_back("session = ?");
  if (!f.intent.empty()) where.push_back("instr(lower(intent), lower(?)) > 0");
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY seq DESC";
  if (f.limit > 0) sql += " LIMIT " + std::to_string(f.limit);
  Stmt s(db_, sql);
  if (!s.ok()) return db_error(db_, "search");
  int i = 1;
  if (!f.agent.empty()) s.bind(i++, f.agent);
  if (f.since_ms) s.bind(i++, *f.since_ms);
  if (!f.decision.empty()) s.bind(i++, f.decision);
  if (!f.table.empty()) s.bind(i++, f.table);
  if (!f.text.empty()) s.bind(i++, f.text);
  if (!f.session.empty()) s.bind(i++, f.session);
  if (!f.intent.empty()) s.bind(i++, f.intent);
  auto hits = collect(db_, s);
  if (hits) std::reverse(hits->begin(), hits->end());
  return hits;
}

Result<std::vector<Hit>> Index::trace(std::string_view session) const {
  Stmt s(db_, std::string(kColumns) + " WHERE session = ? ORDER BY seq");
  if (!s.ok()) return db_error(db_, "trace");
  s.bind(1, session);
  return collect(db_, s);
}

std::optional<std::string> read_line(const std::string& dir, const Hit& hit) {
  LineReader reader(dir + "/" + hit.file, hit.offset, hit.line);
  std::string_view line;
  bool complete = false;
  if (!reader.next(line, complete) || !complete) return std::nullopt;
  // The same record still there? Its line starts with its seq.
  const std::string prefix = "{\"seq\":" + std::to_string(hit.seq) + ",";
  if (!line.starts_with(prefix)) return std::nullopt;
  return std::string(line);
}

}  // namespace airlock::audit
