#pragma once
// The state store: approvals (holds waiting for a human) and write budgets, behind one
// narrow interface. SQLite (sqlite_store.hpp) is the embedded default; a PostgreSQL store
// shared by several gateways can implement the same interface later.
//
// Every method is safe to call from any thread. Calls block (a local SQLite file: tens of
// microseconds); none is made per ordinary statement, only for guarded writes and holds.
// Times are milliseconds since the Unix epoch, passed in by the caller so that tests control
// the clock.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace airlock::state {

enum class ApprovalStatus : std::uint8_t { Pending, Approved, Denied, Executed, Expired };

std::string_view to_string(ApprovalStatus s) noexcept;  // "pending", "approved", ...
std::optional<ApprovalStatus> approval_status_from(std::string_view s) noexcept;

// "apr_" + 16 random hex digits (OpenSSL's CSPRNG): ids are not guessable, so knowing one
// request's id says nothing about another's.
std::string new_approval_id();

// Error::sqlstate of the store's refusals, so that callers (CLI, HTTP API) can tell them
// apart from failures of the store itself (kInternalError, with the SQLite message).
inline constexpr const char* kNotFound = "42704";       // no approval with that id
inline constexpr const char* kWrongState = "55000";     // already decided, executed or expired

struct Approval {
  std::string id;              // "apr_" + 16 hex digits, random
  std::string agent;
  std::string statement_hash;  // identity of the statement (text + parameters): an approval
                               // applies only to the same agent and the same hash
  std::string sql;             // normalized statement text, as shown to approvers
  std::string params;          // JSON array as text ("[]" when none), redacted as policy says
  std::optional<std::int64_t> rows;  // rows it would change, where known (over-limit writes)
  std::string rule;            // rule id that held it
  std::string reason;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;  // after this a pending or approved request is Expired
  ApprovalStatus status = ApprovalStatus::Pending;
  std::string decided_by;       // who approved or denied
  std::string note;             // the approver's note
  std::int64_t decided_ms = 0;
  std::int64_t executed_ms = 0;
};

struct ApprovalFilter {
  std::optional<ApprovalStatus> status;  // none: every status
  std::string agent;                     // "": every agent
  std::size_t limit = 100;               // newest first; 0: no limit
};

// A just-in-time token (docs/access.md): a login for one agent, narrower than its policy,
// that ends at expires_ms or when revoked. Only a SCRAM verifier of its secret is stored.
struct Token {
  std::string id;                  // "tok_" + 16 hex digits, random: also the login user
  std::string agent;
  std::vector<std::string> allow;  // scope: "schema.table:action,action", as issued
  std::optional<std::int64_t> max_rows;  // most rows one write may change; none: the policy's
  std::string reason;
  std::string verifier;    // "SCRAM-SHA-256$..." of the secret
  std::string request_id;  // the access request it was issued for; "" = issued directly
  std::string issued_by;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
  std::int64_t revoked_ms = 0;  // 0: not revoked
  std::string revoked_by;
  std::int64_t sessions = 0;    // sessions open with it, as the gateway last reported

  bool live(std::int64_t now_ms) const { return revoked_ms == 0 && now_ms < expires_ms; }
};

// Something that happened to a token, for the audit trail: issued, revoked, expired. The
// store keeps them until a gateway claims them (claim_token_events), so that one issued by
// the CLI while no gateway runs is still audited once a gateway starts.
struct TokenEvent {
  std::int64_t seq = 0;
  std::string token;
  std::string agent;
  std::string event;  // issued | revoked | expired
  std::string by;     // who issued or revoked it
  std::int64_t at_ms = 0;
  std::string request_id;  // the access request the token was issued for ("" = none)
};

// "tok_" + 16 random hex digits.
std::string new_token_id();

// One budget check: the rows already used in the window, and whether `rows` more fit.
struct Charge {
  bool accepted = false;
  std::int64_t used = 0;        // rows counted in the window before this charge
  std::int64_t charge_id = 0;   // when accepted: pass to refund() if the write is undone
};

class Store {
 public:
  virtual ~Store() = default;

  // --- approvals ---
  // Returns the pending, unexpired request for (agent, statement_hash) if there is one,
  // else stores `request` (id, created_ms, expires_ms and status as given; an empty id gets
  // new_approval_id()) and returns it.
  virtual Result<Approval> open_approval(const Approval& request, std::int64_t now_ms) = 0;
  virtual Result<std::optional<Approval>> get_approval(std::string_view id, std::int64_t now_ms) = 0;
  virtual Result<std::vector<Approval>> list_approvals(const ApprovalFilter& filter,
                                                       std::int64_t now_ms) = 0;
  // Pending and unexpired → Approved or Denied. Anything else is an error that says why
  // ("apr_… is already approved", "apr_… expired at …", "no approval apr_…").
  virtual Result<Approval> decide_approval(std::string_view id, bool approve, std::string_view by,
                                           std::string_view note, std::int64_t now_ms) = 0;
  // Atomically turns one Approved, unexpired request for exactly (agent, statement_hash) into
  // Executed and returns it; none → nullopt. This is what makes "executes exactly once" hold.
  virtual Result<std::optional<Approval>> consume_approval(std::string_view agent,
                                                           std::string_view statement_hash,
                                                           std::int64_t now_ms) = 0;

  // --- write budgets (sliding windows of real rows changed) ---
  // Atomically: sums the rows charged to (agent, budget) since now_ms - window_ms; when
  // used + rows <= max_rows records the charge and accepts it.
  virtual Result<Charge> try_charge(std::string_view agent, std::string_view budget,
                                    std::int64_t rows, std::int64_t max_rows,
                                    std::int64_t window_ms, std::int64_t now_ms) = 0;
  // Undoes an accepted charge (the write it paid for was rolled back after all).
  virtual Status refund(std::int64_t charge_id) = 0;
  virtual Result<std::int64_t> used(std::string_view agent, std::string_view budget,
                                    std::int64_t window_ms, std::int64_t now_ms) = 0;

  // --- just-in-time tokens ---
  // Stores a new token (its id must be new) and its "issued" event.
  virtual Status add_token(const Token& token) = 0;
  virtual Result<std::optional<Token>> get_token(std::string_view id) = 0;
  // Newest first; live_only: neither revoked nor expired at now_ms.
  virtual Result<std::vector<Token>> list_tokens(bool live_only, std::int64_t now_ms) = 0;
  // Live → revoked, with its "revoked" event. Unknown: kNotFound; already revoked or
  // expired: kWrongState.
  virtual Result<Token> revoke_token(std::string_view id, std::string_view by,
                                     std::int64_t now_ms) = 0;
  // Adds an "expired" event for each token past its expiry that has none, then returns up to
  // `limit` events no one has claimed yet, oldest first, and marks them claimed.
  virtual Result<std::vector<TokenEvent>> claim_token_events(std::int64_t now_ms,
                                                             std::size_t limit) = 0;
  // The number of sessions open with each token now (every token not listed: 0).
  virtual Status set_token_sessions(const std::vector<std::pair<std::string, std::int64_t>>& open) = 0;
};

}  // namespace airlock::state
