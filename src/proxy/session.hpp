#pragma once
// One client connection, from its first byte to its close: startup and authentication
// (session_startup.cpp), then two relay loops (relay.cpp) and a watchdog for deadlines.
//
// Threading: a Session lives on one io_context, run by one thread; nothing in it is
// touched from another thread, so it holds no locks.
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/buffer.hpp"
#include "net/asio.hpp"
#include "net/stream.hpp"
#include "protocol/frame.hpp"
#include "protocol/name_state.hpp"
#include "protocol/row_check.hpp"
#include "protocol/rows.hpp"
#include "protocol/startup.hpp"
#include "proxy/local_front.hpp"
#include "proxy/prepared.hpp"
#include "proxy/row_guard.hpp"
#include "proxy/services.hpp"
#include "proxy/shadow.hpp"
#include "proxy/statement_hook.hpp"
#include "proxy/upstream_login.hpp"
#include "traffic/agent_traffic.hpp"

namespace airlock::proxy {

// Bind's result format codes (after the parameters); nullopt when malformed.
std::optional<std::vector<std::int16_t>> bind_result_formats(std::string_view rest);

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Clock = std::chrono::steady_clock;

  // `local`: a session opened in-process by another front end (local_front.hpp).
  Session(net::Stream client, Services& services, std::shared_ptr<LocalFront> local = {});
  ~Session();

  // Runs the whole session; completes when both peers are closed.
  net::awaitable<void> run();

  // Graceful shutdown: closes now when idle, else after the running statement completes.
  void begin_drain();
  // Immediate close of both connections.
  void abort();

 private:
  // --- startup and authentication (session_startup.cpp) ---
  net::awaitable<bool> startup();  // true: authenticated and upstream ready
  net::awaitable<Result<protocol::StartupMessage>> read_startup_packet();
  // `user` is an agent's name or a token id; on success agent_ (and token_) are set.
  net::awaitable<Status> authenticate(const std::string& user);
  void audit_token_use();  // an event record: this session logged in with token_
  net::awaitable<void> handle_cancel(std::uint32_t pid, std::uint32_t secret);
  // `detail`: the DETAIL field the client sees (Error::detail is for the log only).
  net::awaitable<void> send_fatal(const Error& e, std::string_view detail = {});
  net::awaitable<void> send_fatal_bounded(const Error& e, std::string_view detail = {});
  net::awaitable<Status> make_hook();

  // --- relay (relay.cpp) ---
  net::awaitable<void> client_to_upstream();
  net::awaitable<void> upstream_to_client();
  net::awaitable<void> watchdog();
  net::awaitable<bool> end_if_token_ended();  // true: it had, and the session is ending
  net::awaitable<bool> write_client(std::string_view bytes);
  net::awaitable<bool> write_upstream(std::string_view bytes);
  net::awaitable<bool> forward_denied(const protocol::Frame& f, Verdict v);
  bool rewrite_if_denial(const protocol::Frame& f, std::string& out);
  // An ErrorResponse or NoticeResponse that quotes Airlock's marker or own names (it never
  // should): `out` gets a generic error or nothing in its place. False: not such a message.
  bool scrub_marker(const protocol::Frame& f, std::string& out);
  net::awaitable<void> wait_signal();
  void signal();
  void arm_client_read_deadline();
  bool check_upstream_parameter(std::string_view name, std::string_view value);
  void close_both();
  net::awaitable<void> cancel_upstream_query();

  // --- guarded writes and holds (guarded.cpp) ---
  // A statement the hook wants guarded or held, as prepared (Parse) and bound (Bind).
  struct GuardedStatement {
    std::shared_ptr<const GuardSpec> guard;
    std::shared_ptr<const HoldSpec> hold;
    std::string sql;
    std::string param_types;
    std::string bind_rest;
  };
  enum class HoldResult { Approved, Denied, Failed };
  void track_extended(const protocol::Frame& f);
  // `g` is taken by reference: GCC 12 mishandles temporaries passed by value to coroutines.
  net::awaitable<bool> run_guarded(const protocol::Frame& f, std::string_view raw,
                                   const GuardedStatement& g);
  net::awaitable<bool> on_guard_frame(const protocol::Frame& f, std::string_view raw, int& ready);
  net::awaitable<bool> settle_guard();
  net::awaitable<bool> decide_guard();
  net::awaitable<bool> finish_held_guard();
  net::awaitable<HoldResult> hold_for_approval(std::optional<std::uint64_t> rows,
                                               const std::string& rule, const std::string& reason,
                                               Verdict& refusal);
  net::awaitable<bool> write_guard_upstream(std::string& up);
  std::string guard_hash() const;

  // --- audit trail (audit_trail.cpp) ---
  // Writes the intent record of a statement before it is forwarded. False when the trail
  // cannot be written and the statement may change data: then it must be refused (`refusal`).
  bool audit_intent(const StatementInfo& info, std::uint64_t batch, Verdict& refusal);
  // ReadyForQuery of sync batch `batch`: the outcome records of its statements.
  void audit_outcomes(std::uint64_t batch);
  void audit_error(const protocol::Frame& f);  // an ErrorResponse relayed to the client
  void count_statement(const Verdict* v);     // metrics; null: an Execute (allowed at Parse)
  // The intent stated outside the statement: the current tool call's for a local front,
  // else the application_name's (docs/access.md, "Justification").
  std::string_view session_intent() const;
  void note_application_name(std::string_view value);  // the server reported a new one
  // Rate limit, breaker and pause for one statement about to be forwarded (traffic.cpp):
  // may wait (a short delay under the rate limit); nullopt = admitted.
  net::awaitable<std::optional<Verdict>> admit(std::shared_ptr<const StatementInfo> info,
                                               std::uint64_t batch,
                                               bool policy_denied = false);
  void traffic_outcomes(std::uint64_t batch);  // at ReadyForQuery

  // --- extended-protocol names (extended_names.cpp) ---
  // Each checks one client message, tells names_ about it as it goes upstream, and returns
  // a refusal (the message is then replaced by one that fails).
  std::optional<Verdict> on_parse(const protocol::Frame& f, const Verdict* v);
  std::optional<Verdict> on_bind(const protocol::Frame& f);
  std::optional<Verdict> on_describe_close(const protocol::Frame& f);
  // Execute: the portal's value, or a refusal (names_ is told by note_execute()).
  std::optional<Verdict> check_execute(const protocol::Frame& f,
                                       std::shared_ptr<const BoundPortal>& portal);
  void note_execute(const BoundPortal* portal);
  void note_query(const Verdict* v);  // a Query forwarded upstream (v null: refused)
  std::optional<Verdict> check_uses(const NameEffects* effects);  // EXECUTE x, FETCH p
  void names_answer(const protocol::Frame& f, char status);
  net::awaitable<bool> await_names(std::string_view before);
  bool uncertain(protocol::NameState::Ns ns, std::string_view name) const;
  std::vector<protocol::NameState::Effect> effects_for(const NameEffects* effects);
  protocol::NameState names_;  // follows the server's confirmations (name_state.hpp)
  // A guarded write opened a transaction block for the current autocommit batch: the
  // client's Sync is followed by its COMMIT (row_guard.hpp commit_at_sync).
  bool commit_at_sync_ = false;
  bool client_block_ = false;  // the client's own transaction block is open (names_answer)
  bool awaiting_answers_ = false;  // a guarded Execute waits for the batch's earlier answers

  // --- result masking (result_mask.cpp) ---
  struct MaskJob {
    std::uint64_t batch;   // the sync batch it belongs to
    std::size_t result;    // Execute: its result's index in the batch
    bool whole;            // Query: covers every result of the batch (statement k = result k)
    std::shared_ptr<const MaskPlan> plan;
    std::vector<std::int16_t> formats;  // Execute: Bind's result format codes
    // Execute: the statement's columns as described earlier (when the batch has no Describe).
    std::shared_ptr<const Described> described;
  };
  void queue_mask(std::shared_ptr<const MaskPlan> plan, std::uint64_t batch, std::size_t result,
                  bool whole, std::vector<std::int16_t> formats,
                  std::shared_ptr<const Described> described = {});
  bool mask_frame(const protocol::Frame& f, std::string& out, bool& bad);
  void mask_batch_done(std::uint64_t batch);
  void begin_masked_result(const MaskJob& job, std::size_t statement,
                           const std::vector<protocol::FieldDescription>* fields,
                           std::size_t width);
  void audit_guard(const char* outcome, std::uint64_t rows, std::optional<std::uint64_t> limit,
                   const std::string& approval);

  // --- shadow mode (shadow_session.cpp, shadow.hpp) ---
  net::awaitable<bool> shadow_begin_batch();  // before the first message of a sync batch
  // A Query or Parse the policy allowed: `out` gets its replacement (empty: as it is).
  std::optional<Verdict> shadow_statement(const protocol::Frame& f, const Verdict& v,
                                          std::string& out);
  void shadow_bind(const protocol::Frame& f);
  std::optional<Verdict> shadow_execute(const protocol::Frame& f, std::string_view raw,
                                        const StatementInfo* info, std::string& out);
  Shadow::Action shadow_frame(const protocol::Frame& f, std::string& out);
  char shadow_guard_ready(std::string& to_client, char upstream_status);
  std::optional<std::int64_t> shadow_rows(std::size_t index, std::size_t count) const;
  Result<state::Charge> shadow_budget(const BudgetRef& b, std::uint64_t rows,
                                      std::int64_t max_rows);

  net::Stream client_;
  Services& services_;
  std::shared_ptr<const Snapshot> snap_;  // config as of authentication
  RecvBuffer cbuf_;
  std::optional<UpstreamConn> upstream_;
  std::unique_ptr<StatementHook> hook_;  // the one point where statements are decided
  std::string agent_;
  // The just-in-time token the session logged in with (token_leases.hpp); null: the agent's
  // own password. The watchdog ends the session when it expires or is revoked.
  std::shared_ptr<TokenLease> token_;
  bool cancel_at_end_ = false;  // end_if_token_ended: run() cancels a running statement
  std::string application_name_;
  // The intent application_name states (core/intent_text.hpp), at login and after each
  // change the server reports (SET application_name); "" = none.
  std::string app_intent_;
  std::string mode_ = "enforce";  // the agent's mode, for the audit trail
  std::optional<Shadow> shadow_;  // `mode: shadow`: nothing the agent writes is committed
  std::vector<std::optional<std::uint64_t>> shadow_rows_;  // per CommandComplete of the batch
  std::map<std::string, std::int64_t, std::less<>> shadow_budget_used_;
  std::string peer_;
  std::shared_ptr<LocalFront> local_;  // null: a client of the wire listener
  CancelRegistry::Key client_key_{0, 0};

  // Relay state.
  int pending_syncs_ = 0;      // Query/Sync forwarded whose ReadyForQuery is not yet relayed
  char txn_status_ = 'I';
  // A denied statement is replaced upstream by `deny_marker_`, a syntax error that can never
  // execute, so that PostgreSQL itself aborts the transaction, skips to Sync and keeps the
  // pipeline in order; its ErrorResponse is rewritten into the denial (FIFO) on the way back.
  std::string deny_marker_;
  std::string guard_name_;       // the row guard's statement and portal (reserved, random)
  std::string guard_savepoint_;  // ... and savepoint
  // Each denial remembers the sync batch it belongs to; a denied Parse that PostgreSQL
  // skips (it was already discarding up to Sync after an earlier error) never answers, and
  // is dropped when its batch's ReadyForQuery passes, so it cannot be matched to a later one.
  struct Denial {
    std::uint64_t batch;
    Verdict verdict;
  };
  std::deque<Denial> denials_;
  std::uint64_t forwarded_syncs_ = 0;  // Query/Sync/FunctionCall sent upstream, ever
  std::uint64_t completed_syncs_ = 0;  // ReadyForQuery received, ever
  bool extended_open_ = false;      // Parse/Bind/... forwarded since the last Sync
  int batch_executes_ = 0;      // Executes since the last Sync
  std::optional<RowGuard> guard_;  // the write running under the guard, if any
  GuardedStatement guard_stmt_;
  std::optional<std::uint64_t> guard_approved_rows_;  // set when a human approved it
  bool guard_approved_ = false;
  std::string guard_approval_id_;
  std::string guard_request_;   // the approval request an over-limit write waits for
  // Audit: intent records whose outcome is not written yet, per sync batch.
  struct Intent {
    std::uint64_t batch;
    std::uint64_t seq;
    Clock::time_point start;
    std::string stated;  // the intent the agent stated (record field `intent`), for the outcome
  };
  std::optional<Intent> guard_intent_;  // the guarded statement's intent record
  std::deque<Intent> intents_;
  metrics::Counter* statement_counters_[3] = {nullptr, nullptr, nullptr};  // allow, hold, deny
  std::string session_id_;
  std::string batch_sqlstate_;  // first error of the batch in flight
  std::string batch_error_;
  // Traffic control: this agent's limits, this connection's slot, and the statements
  // admitted whose outcome (success or failure) the breaker has not been told yet.
  std::shared_ptr<traffic::AgentTraffic> traffic_;
  std::chrono::milliseconds refusal_delay_{0};  // breaker.refusal_delay
  traffic::ConnectionSlot slot_;
  struct Admitted {
    std::uint64_t batch;
    std::shared_ptr<const StatementInfo> info;  // its fingerprint is the breaker's key
    traffic::Gate gate;
  };
  std::deque<Admitted> admitted_;
  std::deque<MaskJob> mask_jobs_;
  std::size_t results_done_ = 0;  // results completed in the batch being answered
  struct MaskColumns {
    bool active = false;
    std::vector<protocol::ColumnMask> columns;
    std::vector<MaskStyle> styles;
    std::vector<std::uint32_t> oids;
    std::vector<std::int16_t> formats;
  };
  MaskColumns mask_cur_;
  std::shared_ptr<const Described> mask_last_desc_;  // the batch's last RowDescription
  protocol::RowCheck row_check_;  // every relayed DataRow (relay.cpp tells it the client side)
  bool client_terminated_ = false;  // the client sent Terminate
  bool write_timed_out_ = false;
  bool client_write_busy_ = false;
  bool draining_ = false;
  bool closed_ = false;
  net::asio::steady_timer signal_timer_;

  // Deadlines checked by the watchdog; time_point::max() = not armed.
  Clock::time_point client_read_deadline_ = Clock::time_point::max();
  Clock::time_point client_write_deadline_ = Clock::time_point::max();
  Clock::time_point upstream_write_deadline_ = Clock::time_point::max();
  const char* client_read_timeout_state_ = nullptr;  // SQLSTATE to report on expiry
};

}  // namespace airlock::proxy
