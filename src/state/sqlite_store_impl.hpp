#pragma once
// Internal to the state library: the SQLite implementation of Store, whose methods live in
// sqlite_approvals.cpp and sqlite_budgets.cpp; opening and the schema in sqlite_store.cpp.
#include <mutex>

#include "state/sqlite_db.hpp"
#include "state/store.hpp"

namespace airlock::state::detail {

// One connection; the mutex serializes this process's threads on it, SQLite's file locks
// serialize processes.
class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Db db) : db_(std::move(db)) {}

  Result<Approval> open_approval(const Approval& request, std::int64_t now_ms) override;
  Result<std::optional<Approval>> get_approval(std::string_view id, std::int64_t now_ms) override;
  Result<std::vector<Approval>> list_approvals(const ApprovalFilter& filter,
                                               std::int64_t now_ms) override;
  Result<Approval> decide_approval(std::string_view id, bool approve, std::string_view by,
                                   std::string_view note, std::int64_t now_ms) override;
  Result<std::optional<Approval>> consume_approval(std::string_view agent,
                                                   std::string_view statement_hash,
                                                   std::int64_t now_ms) override;

  Result<Charge> try_charge(std::string_view agent, std::string_view budget, std::int64_t rows,
                            std::int64_t max_rows, std::int64_t window_ms,
                            std::int64_t now_ms) override;
  Status refund(std::int64_t charge_id) override;
  Result<std::int64_t> used(std::string_view agent, std::string_view budget,
                            std::int64_t window_ms, std::int64_t now_ms) override;

  Status add_token(const Token& token) override;
  Result<std::optional<Token>> get_token(std::string_view id) override;
  Result<std::vector<Token>> list_tokens(bool live_only, std::int64_t now_ms) override;
  Result<Token> revoke_token(std::string_view id, std::string_view by,
                             std::int64_t now_ms) override;
  Result<std::vector<TokenEvent>> claim_token_events(std::int64_t now_ms,
                                                     std::size_t limit) override;
  Status set_token_sessions(const std::vector<std::pair<std::string, std::int64_t>>& open) override;

 private:
  Result<std::optional<Token>> find_token_locked(std::string_view id);
  Result<std::optional<Approval>> find_locked(std::string_view id, std::int64_t now_ms);

  std::mutex mutex_;
  Db db_;
};

}  // namespace airlock::state::detail
