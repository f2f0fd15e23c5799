#pragma once
// An in-memory state::Store with the SQLite store's approval semantics (refusals carry
// state::kNotFound / state::kWrongState), for testing the approvals API without a file.
#include <map>
#include <mutex>

#include "state/store.hpp"

namespace airlock::http::testing {

class FakeStore final : public state::Store {
 public:
  // Adds a request as given (tests choose ids, times and statuses).
  void add(state::Approval a);
  // Makes every call fail as a broken store would.
  void break_store() { broken_ = true; }

  Result<state::Approval> open_approval(const state::Approval& request,
                                        std::int64_t now_ms) override;
  Result<std::optional<state::Approval>> get_approval(std::string_view id,
                                                      std::int64_t now_ms) override;
  Result<std::vector<state::Approval>> list_approvals(const state::ApprovalFilter& filter,
                                                      std::int64_t now_ms) override;
  Result<state::Approval> decide_approval(std::string_view id, bool approve, std::string_view by,
                                          std::string_view note, std::int64_t now_ms) override;
  Result<std::optional<state::Approval>> consume_approval(std::string_view agent,
                                                          std::string_view statement_hash,
                                                          std::int64_t now_ms) override;
  Result<state::Charge> try_charge(std::string_view agent, std::string_view budget,
                                   std::int64_t rows, std::int64_t max_rows, std::int64_t window_ms,
                                   std::int64_t now_ms) override;
  Status refund(std::int64_t charge_id) override;
  Result<std::int64_t> used(std::string_view agent, std::string_view budget, std::int64_t window_ms,
                            std::int64_t now_ms) override;

  // Tokens: not used by the HTTP tests.
  Status add_token(const state::Token&) override { return unsupported(); }
  Result<std::optional<state::Token>> get_token(std::string_view) override {
    return std::optional<state::Token>{};
  }
  Result<std::vector<state::Token>> list_tokens(bool, std::int64_t) override {
    return std::vector<state::Token>{};
  }
  Result<state::Token> revoke_token(std::string_view, std::string_view, std::int64_t) override {
    return unsupported();
  }
  Result<std::vector<state::TokenEvent>> claim_token_events(std::int64_t, std::size_t) override {
    return std::vector<state::TokenEvent>{};
  }
  Status set_token_sessions(const std::vector<std::pair<std::string, std::int64_t>>&) override {
    return {};
  }

 private:
  static std::unexpected<Error> unsupported() {
    return fail(sqlstate::kInternalError, "the fake store has no tokens");
  }
  // The status as of now_ms (pending and approved requests past expires_ms are expired).
  static state::Approval as_of(state::Approval a, std::int64_t now_ms);

  std::mutex mutex_;
  std::map<std::string, state::Approval, std::less<>> approvals_;
  bool broken_ = false;
};

}  // namespace airlock::http::testing
