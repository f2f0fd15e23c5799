// Approvals in SQLite. The stored status is what a person or the gateway last decided;
// expiry is applied when reading (effective_status), so it needs no background sweep.
#include "state/sqlite_store_impl.hpp"
#include "state/time_text.hpp"

namespace airlock::state::detail {
namespace {

constexpr const char* kColumns =
    "id, agent, statement_hash, sql, params, row_count, rule, reason, created_ms, expires_ms, "
    "status, decided_by, note, decided_ms, executed_ms";

std::string select_sql(const char* where_and_rest) {
  return std::string("SELECT ") + kColumns + " FROM approvals " + where_and_rest;
}

ApprovalStatus effective_status(ApprovalStatus stored, std::int64_t expires_ms,
                                std::int64_t now_ms) {
  bool open = stored == ApprovalStatus::Pending || stored == ApprovalStatus::Approved;
  return open && expires_ms <= now_ms ? ApprovalStatus::Expired : stored;
}

// Reads a row selected with kColumns.
Approval read_row(const Stmt& s, std::int64_t now_ms) {
  Approval a;
  a.id = s.text(0);
  a.agent = s.text(1);
  a.statement_hash = s.text(2);
  a.sql = s.text(3);
  a.params = s.text(4);
  a.rows = s.optional_integer(5);
  a.rule = s.text(6);
  a.reason = s.text(7);
  a.created_ms = s.integer(8);
  a.expires_ms = s.integer(9);
  // The CHECK constraint admits only known words; anything else would be a foreign writer.
  a.status = approval_status_from(s.text(10)).value_or(ApprovalStatus::Expired);
  a.status = effective_status(a.status, a.expires_ms, now_ms);
  a.decided_by = s.text(11);
  a.note = s.text(12);
  a.decided_ms = s.integer(13);
  a.executed_ms = s.integer(14);
  return a;
}

Result<std::optional<Approval>> first_row(Stmt& s, std::int64_t now_ms) {
  auto row = s.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<Approval>{};
  return std::optional<Approval>{read_row(s, now_ms)};
}

std::unexpected<Error> wrong_state(const Approval& a) {
  if (a.status == ApprovalStatus::Expired) {
    return fail(kWrongState, a.id + " expired at " + utc_text(a.expires_ms));
  }
  return fail(kWrongState, a.id + " is already " + std::string(to_string(a.status)));
}

}  // namespace

Result<std::optional<Approval>> SqliteStore::find_locked(std::string_view id,
                                                         std::int64_t now_ms) {
  Stmt s(db_, select_sql("WHERE id = ?1").c_str());
  s.bind(1, id);
  return first_row(s, now_ms);
}

Result<Approval> SqliteStore::open_approval(const Approval& request, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  WriteTx tx(db_);
  if (auto s = tx.begin(); !s) return std::unexpected(s.error());
  // The agent retrying the same statement must not flood approvers with copies.
  Stmt find(db_, select_sql("WHERE agent = ?1 AND statement_hash = ?2 AND status = 'pending' "
                            "AND expires_ms > ?3 ORDER BY created_ms DESC, id LIMIT 1")
                     .c_str());
  find.bind(1, request.agent).bind(2, request.statement_hash).bind(3, now_ms);
  auto existing = first_row(find, now_ms);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) return std::move(**existing);

  Approval stored = request;
  if (stored.id.empty()) stored.id = new_approval_id();
  Stmt insert(db_,
              "INSERT INTO approvals (id, agent, statement_hash, sql, params, row_count, rule, "
              "reason, created_ms, expires_ms, status, decided_by, note, decided_ms, "
              "executed_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
              "?14, ?15)");
  insert.bind(1, stored.id).bind(2, stored.agent).bind(3, stored.statement_hash);
  insert.bind(4, stored.sql).bind(5, stored.params).bind(6, stored.rows).bind(7, stored.rule);
  insert.bind(8, stored.reason).bind(9, stored.created_ms).bind(10, stored.expires_ms);
  insert.bind(11, to_string(stored.status)).bind(12, stored.decided_by).bind(13, stored.note);
  insert.bind(14, stored.decided_ms).bind(15, stored.executed_ms);
  if (auto s = insert.run(); !s) return std::unexpected(s.error());
  if (auto s = tx.commit(); !s) return std::unexpected(s.error());
  stored.status = effective_status(stored.status, stored.expires_ms, now_ms);
  return stored;
}

Result<std::optional<Approval>> SqliteStore::get_approval(std::string_view id,
                                                          std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  return find_locked(id, now_ms);
}

Result<std::vector<Approval>> SqliteStore::list_approvals(const ApprovalFilter& filter,
                                                          std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  // The status test repeats effective_status in SQL so that LIMIT counts matching rows.
  Stmt s(db_, select_sql("WHERE (?2 = '' OR agent = ?2) AND (?3 = '' OR ?3 = CASE "
                         "WHEN status IN ('pending', 'approved') AND expires_ms <= ?1 "
                         "THEN 'expired' ELSE status END) "
                         "ORDER BY created_ms DESC, id LIMIT ?4")
                  .c_str());
  std::string_view status = filter.status ? to_string(*filter.status) : std::string_view{};
  auto limit = filter.limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(filter.limit);
  s.bind(1, now_ms).bind(2, filter.agent).bind(3, status).bind(4, limit);
  std::vector<Approval> out;
  for (;;) {
    auto row = s.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_row(s, now_ms));
  }
}

Result<Approval> SqliteStore::decide_approval(std::string_view id, bool approve,
                                              std::string_view by, std::string_view note,
                                              std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  WriteTx tx(db_);
  if (auto s = tx.begin(); !s) return std::unexpected(s.error());
  auto found = find_locked(id, now_ms);
  if (!found) return std::unexpected(found.error());
  if (!*found) return fail(kNotFound, "no approval " + std::string(id));
  Approval a = std::move(**found);
  if (a.status != ApprovalStatus::Pending) return wrong_state(a);

  a.status = approve ? ApprovalStatus::Approved : ApprovalStatus::Denied;
  a.decided_by = by;
  a.note = note;
  a.decided_ms = now_ms;
  Stmt update(db_,
              "UPDATE approvals SET status = ?2, decided_by = ?3, note = ?4, decided_ms = ?5 "
              "WHERE id = ?1 AND status = 'pending'");
  update.bind(1, a.id).bind(2, to_string(a.status)).bind(3, by).bind(4, note).bind(5, now_ms);
  if (auto s = update.run(); !s) return std::unexpected(s.error());
  if (auto s = tx.commit(); !s) return std::unexpected(s.error());
  return a;
}

Result<std::optional<Approval>> SqliteStore::consume_approval(std::string_view agent,
                                                              std::string_view statement_hash,
                                                              std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  WriteTx tx(db_);
  if (auto s = tx.begin(); !s) return std::unexpected(s.error());
  // Inside the write transaction no other connection can consume the same row between this
  // SELECT and the UPDATE: that is the whole of "exactly once".
  Stmt find(db_, select_sql("WHERE agent = ?1 AND statement_hash = ?2 AND status = 'approved' "
                            "AND expires_ms > ?3 ORDER BY decided_ms, id LIMIT 1")
                     .c_str());
  find.bind(1, agent).bind(2, statement_hash).bind(3, now_ms);
  auto found = first_row(find, now_ms);
  if (!found || !*found) return found;  // nothing to consume: the destructor rolls back
  Approval a = std::move(**found);
  Stmt update(db_, "UPDATE approvals SET status = 'executed', executed_ms = ?2 WHERE id = ?1");
  update.bind(1, a.id).bind(2, now_ms);
  if (auto s = update.run(); !s) return std::unexpected(s.error());
  if (auto s = tx.commit(); !s) return std::unexpected(s.error());
  a.status = ApprovalStatus::Executed;
  a.executed_ms = now_ms;
  return std::optional<Approval>{std::move(a)};
}

}  // namespace airlock::state::detail
