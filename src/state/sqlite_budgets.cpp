// Write budgets in SQLite: one row per accepted charge; a window's use is the sum of the
// rows charged after now - window. A charge counts while at_ms > now - window_ms.
#include "state/sqlite_store_impl.hpp"

namespace airlock::state::detail {
namespace {

Result<std::int64_t> sum_in_window(Db& db, std::string_view agent, std::string_view budget,
                                   std::int64_t since_ms) {
  Stmt s(db,
         "SELECT coalesce(sum(row_count), 0) FROM budget_charges "
         "WHERE agent = ?1 AND budget = ?2 AND at_ms > ?3");
  s.bind(1, agent).bind(2, budget).bind(3, since_ms);
  auto row = s.step();
  if (!row) return std::unexpected(row.error());
  return *row ? s.integer(0) : 0;
}

Status check_amounts(std::int64_t rows, std::int64_t max_rows, std::int64_t window_ms) {
  if (rows < 0 || max_rows < 0 || window_ms <= 0) {
    return fail(sqlstate::kInvalidParameterValue,
                "budget charge needs rows >= 0, max_rows >= 0 and window > 0");
  }
  return {};
}

}  // namespace

Result<Charge> SqliteStore::try_charge(std::string_view agent, std::string_view budget,
                                       std::int64_t rows, std::int64_t max_rows,
                                       std::int64_t window_ms, std::int64_t now_ms) {
  if (auto s = check_amounts(rows, max_rows, window_ms); !s) return std::unexpected(s.error());
  std::lock_guard lock(mutex_);
  WriteTx tx(db_);
  if (auto s = tx.begin(); !s) return std::unexpected(s.error());
  const std::int64_t since = now_ms - window_ms;
  // Charges that left this budget's window can never count again: drop them while the
  // write lock is held anyway. Only this (agent, budget)'s: other budgets have other windows.
  Stmt prune(db_, "DELETE FROM budget_charges WHERE agent = ?1 AND budget = ?2 AND at_ms <= ?3");
  if (auto s = prune.bind(1, agent).bind(2, budget).bind(3, since).run(); !s) {
    return std::unexpected(s.error());
  }
  auto used = sum_in_window(db_, agent, budget, since);
  if (!used) return std::unexpected(used.error());
  Charge charge;
  charge.used = *used;
  // Written as a difference: used + rows could overflow, max_rows - used cannot.
  if (rows > max_rows - charge.used) return charge;  // rolled back: nothing was written

  Stmt insert(db_,
              "INSERT INTO budget_charges (agent, budget, row_count, at_ms) "
              "VALUES (?1, ?2, ?3, ?4)");
  insert.bind(1, agent).bind(2, budget).bind(3, rows).bind(4, now_ms);
  if (auto s = insert.run(); !s) return std::unexpected(s.error());
  charge.charge_id = sqlite3_last_insert_rowid(db_.handle());
  if (auto s = tx.commit(); !s) return std::unexpected(s.error());
  charge.accepted = true;
  return charge;
}

Status SqliteStore::refund(std::int64_t charge_id) {
  std::lock_guard lock(mutex_);
  // Refunding twice, or a charge already pruned, changes nothing: both are fine.
  Stmt s(db_, "DELETE FROM budget_charges WHERE id = ?1");
  return s.bind(1, charge_id).run();
}

Result<std::int64_t> SqliteStore::used(std::string_view agent, std::string_view budget,
                                       std::int64_t window_ms, std::int64_t now_ms) {
  if (auto s = check_amounts(0, 0, window_ms); !s) return std::unexpected(s.error());
  std::lock_guard lock(mutex_);
  return sum_in_window(db_, agent, budget, now_ms - window_ms);
}

}  // namespace airlock::state::detail
