#pragma once
// Shadow mode: the agent works normally, but nothing it writes is ever committed. No sockets:
// the session feeds it the client's batches and the server's messages (shadow_session.cpp).
//
// The whole upstream session is one transaction, opened at login (BEGIN) and never
// committed: the server rolls it back when the connection closes. Inside it, the agent's
// current transaction lives in one savepoint, the frame (`airlock_shadow`):
//   - outside a transaction block (the agent thinks it is in autocommit) every sync batch
//     (a Query, or the extended messages up to Sync) runs in a fresh frame. Before the next
//     batch, the frame is released (kept) or, when the batch failed, rolled back first, as
//     PostgreSQL rolls back an implicit transaction. That fix-up is a Query sent in front of
//     the next batch, whose answers the client never sees.
//   - BEGIN turns the fresh frame into the agent's transaction block (upstream: ROLLBACK TO
//     the frame, a no-op); COMMIT releases it (RELEASE, then a new frame: SAVEPOINT); a
//     failed transaction's COMMIT, and ROLLBACK, roll back to it. The client gets the
//     command tag it would get from PostgreSQL, and ReadyForQuery says I/T/E as PostgreSQL
//     would ('I' whenever the agent is outside its transaction block).
// So that the fix-up can depend on how the previous batch ended, batches are serialized: a
// batch goes upstream once the previous one is answered. BEGIN, COMMIT and ROLLBACK must be
// the first statement executed in their batch; forms the frame cannot emulate are refused
// by the policy hook (classify_for_shadow).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/frame.hpp"
#include "proxy/statement_hook.hpp"

namespace airlock::sql {
struct Analysis;
}

namespace airlock::proxy {

// What shadow mode makes of a statement: its TxControl, and a refusal (empty: none) with hint
// for forms it cannot emulate (AND CHAIN, isolation levels, two-phase commit, transaction
// control among other statements in one Query, Airlock's own savepoint names).
struct ShadowClass {
  TxControl tx = TxControl::None;
  std::string command;  // NeedsBlock: the command PostgreSQL names in its error
  std::string refusal;
  std::string hint;
};
ShadowClass classify_for_shadow(const sql::Analysis& analysis);

// The first message of a sync batch, when no extended batch is open (CopyData, CopyDone,
// CopyFail and Terminate are not).
inline bool starts_batch(char type) {
  switch (type) {
    case 'Q': case 'P': case 'B': case 'D': case 'E': case 'C': case 'H': case 'S': case 'F':
      return true;
    default:
      return false;
  }
}

class Shadow {
 public:
  static constexpr std::string_view kFrame = "airlock_shadow";

  // The upstream SQL of an emulated BEGIN/COMMIT/ROLLBACK.
  enum class Rewrite : std::uint8_t {
    Forward,     // the client's own text (BEGIN inside a block: PostgreSQL warns, as it should)
    RollbackTo,  // ROLLBACK TO SAVEPOINT airlock_shadow
    Release,     // RELEASE SAVEPOINT airlock_shadow, then SAVEPOINT airlock_shadow
  };
  enum class Action : std::uint8_t {
    Pass,     // relay the server's message as it is
    Swallow,  // drop it (an answer to Airlock's own commands)
    Replace,  // send `out` instead (a rewritten tag or ReadyForQuery; bookkeeping still runs)
    Fatal,    // Airlock's own command failed: the frame is lost, end the session
  };

  // `name`: statement and portal name for the extended-protocol SAVEPOINT after a COMMIT.
  explicit Shadow(std::string name) : name_(std::move(name)) {}

  // --- client side, in order
  // A new sync batch is about to go upstream, the previous one fully answered: appends the
  // fix-up Query to send in front of it.
  void begin_batch(std::string& up);
  // The rewrite a BEGIN/COMMIT/ROLLBACK gets if it runs in this batch.
  Rewrite rewrite_for(TxControl op) const { return plan(op).rewrite; }
  // The upstream text of a rewrite; `simple`: as a Query (else as the text of a Parse).
  static std::string sql_of(Rewrite r, bool simple);
  // A statement is executed (Query or Execute). `parsed`: for BEGIN/COMMIT/ROLLBACK, the
  // rewrite its text got when it was parsed. Appends to `after` what must follow the
  // Execute upstream. Returns a refusal when the statement cannot run.
  std::optional<Verdict> on_execute(const StatementInfo* info, std::optional<Rewrite> parsed,
                                    bool simple, std::string& after);

  // Extended protocol: the rewrite each prepared statement and portal got.
  void on_parse(std::string_view statement, std::optional<Rewrite> r);
  void on_bind(std::string_view portal, std::string_view statement);
  std::optional<Rewrite> portal_rewrite(std::string_view portal) const;

  // --- server side: every message from the server. `guard_running`: the row guard owns it.
  Action on_frame(const protocol::Frame& f, bool guard_running, std::string& out);
  // A ReadyForQuery ends the client's batch: returns the status the client must see.
  char ready(char upstream_status);
  char client_status() const { return frame_ == Block::Explicit ? upstream_status_ : 'I'; }
  const std::string& fatal_reason() const { return fatal_; }

 private:
  enum class Block : std::uint8_t { None, Implicit, Explicit };  // the frame's state
  enum class Transition : std::uint8_t { None, Open, Close, Undo };
  struct Plan {
    Rewrite rewrite = Rewrite::Forward;
    std::string_view tag;  // the client's command tag ("" = the server's as it is)
    bool warn = false;     // "there is no transaction in progress"
    Transition transition = Transition::None;
  };
  Plan plan(TxControl op) const;

  std::string name_;
  Block frame_ = Block::None;
  char upstream_status_ = 'T';
  // The batch being sent: the state its statements run in, as the client loop sees it.
  bool view_explicit_ = false;
  char view_status_ = 'T';
  int batch_executes_ = 0;
  // Server side.
  int fixups_pending_ = 0;        // fix-up Queries whose answers are still due
  std::optional<Plan> expected_;  // the emulated statement whose CommandComplete is due
  bool reopen_pending_ = false;   // SAVEPOINT after a COMMIT: swallow through its tag
  std::string fatal_;
  std::map<std::string, Rewrite, std::less<>> statements_;
  std::map<std::string, Rewrite, std::less<>> portals_;
};

}  // namespace airlock::proxy
