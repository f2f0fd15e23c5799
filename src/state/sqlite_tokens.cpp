// Just-in-time tokens in SQLite. A token's state is its row; what happened to it (issued,
// revoked, expired) is also an event row, kept until a gateway claims it for the audit trail.
#include "state/sqlite_store_impl.hpp"
#include "state/time_text.hpp"

namespace airlock::state::detail {
namespace {

constexpr const char* kColumns =
    "id, agent, allow, max_rows, reason, verifier, request_id, issued_by, created_ms, "
    "expires_ms, revoked_ms, revoked_by, sessions";

std::string select_sql(const char* where_and_rest) {
  return std::string("SELECT ") + kColumns + " FROM tokens " + where_and_rest;
}

// The scope is stored one entry per line: entries are checked at issue and hold no newline.
std::string join_lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out.push_back('\n');
    out += s;
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Token read_row(const Stmt& s) {
  Token t;
  t.id = s.text(0);
  t.agent = s.text(1);
  t.allow = split_lines(s.text(2));
  t.max_rows = s.optional_integer(3);
  t.reason = s.text(4);
  t.verifier = s.text(5);
  t.request_id = s.text(6);
  t.issued_by = s.text(7);
  t.created_ms = s.integer(8);
  t.expires_ms = s.integer(9);
  t.revoked_ms = s.integer(10);
  t.revoked_by = s.text(11);
  t.sessions = s.integer(12);
  return t;
}

Status add_event(Db& db, const Token& t, const char* event, std::string_view by,
                 std::int64_t at_ms) {
  Stmt s(db,
         "INSERT INTO token_events (token, agent, event, by_whom, at_ms) "
         "VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, t.id).bind(2, t.agent).bind(3, event).bind(4, by).bind(5, at_ms);
  return s.run();
}

}  // namespace

Result<std::optional<Token>> SqliteStore::find_token_locked(std::string_view id) {
  Stmt s(db_, select_sql("WHERE id = ?1").c_str());
  s.bind(1, id);
  auto row = s.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<Token>{};
  return std::optional<Token>{read_row(s)};
}

Status SqliteStore::add_token(const Token& t) {
  std::lock_guard lock(mutex_);
  WriteTx tx(db_);
  if (auto s = tx.begin(); !s) return s;
  Stmt insert(db_,
              "INSERT INTO tokens (id, agent, allow, max_rows, reason, verifier, request_id, "
              "issued_by, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
              "?10)");
  insert.bind(1, t.id).bind(2, t.agent).bind(3, join_lines(t.allow)).bind(4, t.max_rows);
  insert.bind(5, t.reason).bind(6, t.verifier).bind(7, t.request_id).bind(8, t.issued_by);
  insert.bind(9, t.created_ms).bind(10, t.expires_ms);
  if (auto s = insert.run(); !s) return s;
  if (auto s = add_event(db_, t, "issued", t.issued_by, t.created_ms); !s) return s;
  return tx.commit();
}

Result<std::optional<Token>> SqliteStore::get_token(std::string_view id) {
  std::lock_guard lock(mutex_);
  return find_token_locked(id);
}

Result<std::vector<Token>> SqliteStore::list_tokens(bool live_only, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Stmt s(db_, select_sql("WHERE ?1 = 0 OR (revoked_ms = 0 AND expires_ms > ?2) "
                         "ORDER BY created_ms DESC, id")
                  .c_str());
  s.bind(1, std::int64_t{live_only ? 1 : 0}).bind(2, now_ms);
  std::vector<Token> out;
  for (;;) {
    auto row = s.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_row(s));
  }
}

Result<Token> SqliteStore::revoke_token(std::string_view id, std::string_view by,
                                        std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  WriteTx tx(db_);
  if (auto s = tx.begin(); !s) return std::unexpected(s.error());
  auto found = find_token_locked(id);
  if (!found) return std::unexpected(found.error());
  if (!*found) return fail(kNotFound, "no token " + std::string(id));
  Token t = std::move(**found);
  if (t.revoked_ms != 0) {
    return fail(kWrongState, t.id + " was already revoked at " + utc_text(t.revoked_ms));
  }
  if (t.expires_ms <= now_ms)
    return fail(kWrongState, t.id + " expired at " + utc_text(t.expires_ms));
  Stmt update(db_, "UPDATE tokens SET revoked_ms = ?2, revoked_by = ?3 WHERE id = ?1");
  update.bind(1, t.id).bind(2, now_ms).bind(3, by);
  if (auto s = update.run(); !s) return std::unexpected(s.error());
  if (auto s = add_event(db_, t, "revoked", by, now_ms); !s) return std::unexpected(s.error());
  if (auto s = tx.commit(); !s) return std::unexpected(s.error());
  t.revoked_ms = now_ms;
  t.revoked_by = by;
  return t;
}

Result<std::vector<TokenEvent>> SqliteStore::claim_token_events(std::int64_t now_ms,
                                                                std::size_t limit) {
  std::lock_guard lock(mutex_);
  {
    // The gateway asks several times a second: take the write lock only with work to do.
    Stmt any(db_,
             "SELECT EXISTS (SELECT 1 FROM token_events WHERE claimed_ms = 0) OR EXISTS "
             "(SELECT 1 FROM tokens t WHERE t.revoked_ms = 0 AND t.expires_ms <= ?1 AND NOT "
             "EXISTS (SELECT 1 FROM token_events e WHERE e.token = t.id AND e.event = 'expired'))");
    any.bind(1, now_ms);
    auto row = any.step();
    if (!row) return std::unexpected(row.error());
    if (*row && any.integer(0) == 0) return std::vector<TokenEvent>{};
  }
  WriteTx tx(db_);
  if (auto s = tx.begin(); !s) return std::unexpected(s.error());
  // Expiry is a moment, not an action: it becomes an event the first time anyone looks.
  Stmt expire(db_,
              "INSERT INTO token_events (token, agent, event, at_ms) "
              "SELECT id, agent, 'expired', expires_ms FROM tokens t WHERE t.revoked_ms = 0 "
              "AND t.expires_ms <= ?1 AND NOT EXISTS (SELECT 1 FROM token_events e "
              "WHERE e.token = t.id AND e.event = 'expired') ORDER BY t.expires_ms");
  expire.bind(1, now_ms);
  if (auto s = expire.run(); !s) return std::unexpected(s.error());
  Stmt read(db_,
            "SELECT e.seq, e.token, e.agent, e.event, e.by_whom, e.at_ms, "
            "coalesce(t.request_id, '') FROM token_events e LEFT JOIN tokens t ON t.id = e.token "
            "WHERE e.claimed_ms = 0 ORDER BY e.seq LIMIT ?1");
  read.bind(1, static_cast<std::int64_t>(limit));
  std::vector<TokenEvent> out;
  for (;;) {
    auto row = read.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(TokenEvent{read.integer(0), read.text(1), read.text(2), read.text(3),
                             read.text(4), read.integer(5), read.text(6)});
  }
  if (!out.empty()) {
    Stmt claim(db_, "UPDATE token_events SET claimed_ms = ?1 WHERE claimed_ms = 0 AND seq <= ?2");
    claim.bind(1, now_ms).bind(2, out.back().seq);
    if (auto s = claim.run(); !s) return std::unexpected(s.error());
  }
  if (auto s = tx.commit(); !s) return std::unexpected(s.error());
  return out;
}

Status SqliteStore::set_token_sessions(
    const std::vector<std::pair<std::string, std::int64_t>>& open) {
  std::lock_guard lock(mutex_);
  WriteTx tx(db_);
  if (auto s = tx.begin(); !s) return s;
  if (auto s = db_.exec("UPDATE tokens SET sessions = 0 WHERE sessions <> 0"); !s) return s;
  for (const auto& [id, n] : open) {
    Stmt update(db_, "UPDATE tokens SET sessions = ?2 WHERE id = ?1");
    update.bind(1, id).bind(2, n);
    if (auto s = update.run(); !s) return s;
  }
  return tx.commit();
}

}  // namespace airlock::state::detail
