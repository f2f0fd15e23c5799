#pragma once
// The row guard: runs one write so that the number of rows it really changed is known
// before it takes effect, and rolls it back when that is more than allowed. No sockets: the
// session feeds it the server's messages and sends the bytes it produces (row_guard.cpp).
//
// What goes upstream (extended protocol, under Airlock's own statement and portal names so
// the client's unnamed statement and portals are untouched; the names are closed again before
// the client has the turn, so no statement of the client's can see them in
// pg_prepared_statements, and a client message naming them is refused):
//   autocommit:        BEGIN;     count; statement; count → COMMIT            | ROLLBACK; marker
//   in a transaction:  SAVEPOINT; count; statement; count → RELEASE SAVEPOINT | ROLLBACK TO; marker
// "count" reads pg_stat_xact_user_tables (rows inserted, updated and deleted per table in this
// transaction), so rows changed by cascades, triggers and data-modifying CTEs are counted;
// the delta between the two reads is the statement's. The command tag's count is taken too,
// and the larger wins. The marker is a statement that cannot parse: PostgreSQL then aborts
// and skips to the client's Sync exactly as for an error of its own, and the guard answers
// with its error in the marker's place.
//
// The client sees what it would have seen without Airlock: the statement's rows and its
// command tag (held back until the outcome is known), or an error in the tag's place.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "protocol/frame.hpp"

namespace airlock::proxy {

// Rows a guarded statement changed, per table ("schema.table") and in total.
struct RowCount {
  std::uint64_t total = 0;
  std::map<std::string, std::uint64_t, std::less<>> tables;
};

class RowGuard {
 public:
  enum class State : std::uint8_t {
    Running,          // waiting for the server
    Decide,           // the statement ran: rows() is known; call commit() or roll_back()
    Undone,           // undo_for_retry() finished: call run_again() or roll_back()
    AwaitClientSync,  // extended protocol: call after_client_sync() when the client's Sync goes up
    Done,             // the client has the turn again
  };

  struct Statement {
    std::string sql;
    std::string param_types;  // the client's Parse: declared parameter types ("" for a Query)
    std::string bind_rest;    // parameters and formats of the client's Bind ("" for a Query)
    bool simple = true;     // the client sent a Query (answered with a ReadyForQuery)
  };
  struct Options {
    bool in_transaction = false;  // the client is inside BEGIN ... COMMIT
    int prefix_responses = 0;     // answers still due for the client's messages sent before
    std::string name;             // Airlock's statement/portal name for this session
    std::string savepoint;        // Airlock's savepoint name for this session
    std::string marker;           // SQL that can never parse
    // Extended protocol: an earlier guarded write of this batch opened Airlock's block.
    bool block_is_ours = false;
    // Extended protocol: the session saw the client open its own block (BEGIN answered, or a
    // ReadyForQuery 'T'/'E'): never Airlock's, warning or not.
    bool client_block = false;
  };

  RowGuard(Options options, Statement statement);

  // Appends the upstream bytes that open the guard and run the statement.
  void start(std::string& up);
  // Every server message while the guard runs: what the client must see is appended to
  // `to_client`, what must go upstream next to `up`.
  void on_frame(const protocol::Frame& f, std::string_view raw, std::string& to_client,
                std::string& up);
  State state() const { return state_; }
  // True when the last frame was a ReadyForQuery relayed to the client.
  bool passed_ready() const { return passed_ready_; }

  // In State::Decide.
  const RowCount& rows() const { return rows_; }
  void commit(std::string& up);
  void roll_back(std::string& up, Error error, std::string hint);
  // Undoes the statement but keeps the session usable, to run it again (after an approval).
  void undo_for_retry(std::string& up);
  void run_again(std::string& up);

  void after_client_sync(std::string& up);

  // Extended protocol: this guard opened a transaction block for the batch (the client was
  // in autocommit), which the client's Sync must not leave open: see commit_at_sync().
  bool opens_block() const { return !stmt_.simple && ours_; }
  // On a fresh guard, right after the client's Sync went up: COMMIT Airlock's block (a
  // ROLLBACK if the batch failed in it), and relay the ReadyForQuery that follows it.
  void commit_at_sync(std::string& up);

  // Whether the statement committed (or was released) — for the audit trail and budgets.
  bool committed() const { return committed_; }

 private:
  enum class Step : std::uint8_t {
    Prefix,        // one answer to a client message sent before the Execute: relayed
    Quiet,         // an injected command: swallowed through its CommandComplete
    Commit,        // the injected COMMIT or RELEASE: its error, if any, is the client's
    CountBefore,   // the row-count query before the statement
    CountAfter,    // ... and after
    Statement,     // the guarded statement: rows relayed, command tag held back
    Marker,        // the never-parsing statement: its error becomes the guard's
    Ready,         // ReadyForQuery after Airlock's own Sync: relayed
    SwallowReady,  // ReadyForQuery of a failed block, to be rolled back: swallowed
    EmitTag,       // not a message: relay the held command tag now
    Closes,        // the two CloseComplete of Airlock's final Close of its names: swallowed
    Begin,         // the extended protocol's BEGIN: its 25001 warning says the block exists
    CommitQuery,   // the COMMIT after the client's Sync: its error is the client's
    RollbackQuery,  // the Query ROLLBACK of a failed block after a Sync: swallowed through its
                    // CommandComplete; its error skips nothing (its ReadyForQuery follows)
  };

  void inject(std::string& up, std::string_view sql, Step step);
  void run_statement(std::string& up);
  void on_error(const protocol::Frame& f, std::string_view raw, Step step,
                std::string& to_client, std::string& up);
  void finish(std::string& up);
  void pop(std::string& to_client);
  void read_count_row(const protocol::Frame& f, Step step);
  void append_guard_error(const protocol::Frame& f, std::string& to_client) const;
  void close_names(std::string& up);
  void cleanup_after_sync(std::string& up);
  void compute_rows();

  Options opt_;
  Statement stmt_;
  std::deque<Step> steps_;
  State state_ = State::Running;
  bool began_ = false;           // autocommit: Airlock's BEGIN opened a block
  bool open_ = false;            // Airlock's block or savepoint holds the statement's effect
  bool undoing_ = false;
  bool rollback_block_ = false;  // that block failed: roll it back after the next Sync
  bool committed_ = false;
  bool passed_ready_ = false;
  bool failed_ = false;          // an error skipped the guard's own Close of its names
  bool opened_ = false;          // extended: BEGIN sent (a retry after a hold skips it)
  bool ours_ = false;            // extended: the block is Airlock's, not the client's
  bool begin_warned_ = false;    // extended: BEGIN warned 25001 (the block already existed)
  int closes_seen_ = 0;
  std::string held_tag_;         // the statement's CommandComplete (or PortalSuspended)
  std::optional<std::uint64_t> tag_rows_;
  std::map<std::string, std::uint64_t, std::less<>> before_, after_;
  RowCount rows_;
  Error error_;  // the guard's own error, sent in the marker's place
  std::string hint_;
};

// Rows a command tag reports for INSERT/UPDATE/DELETE/MERGE/COPY; nullopt for other tags.
std::optional<std::uint64_t> changed_rows_in_tag(std::string_view tag);

}  // namespace airlock::proxy
