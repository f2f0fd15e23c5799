#pragma once
// One sequence of client messages sent to a real PostgreSQL through a mirror of the gateway's
// name rules, with protocol::NameState as the gateway's view:
// - a Parse carries a fresh value (its text's id), a Bind the value of its statement;
// - a Bind is sent only when its statement is Known, an Execute only when its portal is
//   Known (and not a cursor), SQL `EXECUTE a` only when `a` is Known from SQL PREPARE;
//   otherwise the message is replaced by a Parse that can never succeed, under a reserved
//   name (a Query by a statement that cannot parse), and the model is told it fails;
// - every answer is fed to NameState::answer.
// The invariant: whatever the server runs for an allowed Execute or EXECUTE (its DataRows
// and command tag) is what the model said the name held; and at the end, every name the
// model calls Absent or Known(x) holds nothing or x in pg_prepared_statements / pg_cursors.
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "names_script.hpp"
#include "pg_conn.hpp"
#include "protocol/name_state.hpp"

namespace airlock::differential {

struct Target {
  std::string dir;
  int port = 0;
  std::string user;
  std::string db;
};

// What the mirror judged a name to hold; the model's values point to these.
// How the mirror behaves.
struct Options {
  // Draw only Parse texts and Queries that pipelining clients commonly send (no empty or
  // unparsable Query, no transaction control through Parse).
  bool basic = false;
  // Tell the model that COMMIT and ROLLBACK drop every portal. Wrong for cursors WITH HOLD,
  // which survive COMMIT (and ROLLBACK, when declared in an earlier transaction).
};

struct Judged {
  int id = 0;
  std::string text;               // as pg_prepared_statements / pg_cursors show it
  std::string row;                // the only DataRow value it can return ("" = no rows)
  std::vector<std::string> tags;  // first word of the CommandComplete it may return
  bool may_suspend = false;
  bool sql_prepared = false;  // made by SQL PREPARE (EXECUTE may run it)
  bool cursor = false;        // made by DECLARE (never executed by the mirror)
};

struct Counts {
  // Indexed by OpKind for extended messages; sent and replaced.
  std::array<std::uint64_t, 9> sent{}, replaced{};
  std::uint64_t queries = 0, exec_sent = 0, exec_replaced = 0;
  std::uint64_t rows_checked = 0, tags_checked = 0, state_checks = 0, pipelined_syncs = 0;
  std::uint64_t empty_runs = 0;  // Executes answered EmptyQueryResponse (ran nothing)
  std::uint64_t sequences = 0, server_errors = 0;
};

struct Outcome {
  bool ok = true;
  bool harness_error = false;  // the tool, not the model, failed (connection, parse)
  std::string what;            // the first violation
  std::string trace;           // every op, its decision and its answers
};

// "Absent", "Uncertain" or "Known #<id>".
std::string describe_slot(const protocol::NameState::Slot& s);

// Draws the next op. Biased towards names the model knows, so most Binds and Executes are
// allowed.
Op generate_op(Rng& rng, const protocol::NameState& model, const Op* last, bool batch_open,
               int syncs_due, bool basic);

class Run {
 public:
  Run(const Target& t, const Options& o, Counts& counts) : target_(t), opt_(o), counts_(counts) {}
  // Runs `ops`; when `gen` is set, appends up to `max_ops` generated ops to `ops` instead.
  Outcome run(std::vector<Op>& ops, Rng* gen = nullptr, std::size_t max_ops = 0);

 private:
  struct Expect {
    char type = 0;                         // P B D E C S Q: the message the server answers
    std::shared_ptr<const Judged> judged;  // Execute / EXECUTE: what must run
    std::size_t op = 0;
  };
  using Value = protocol::NameState::Value;

  void apply(const Op& op, std::size_t index);
  void send_extended(char type, const std::string& bytes, std::size_t index,
                     std::shared_ptr<const Judged> judged = nullptr);
  void send_replacement(std::size_t index);
  void send_sync(std::size_t index);
  void send_query(const Op& op, std::size_t index);
  void drain();
  void read_one();
  void check_run(const Expect& e, const protocol::Frame& f);
  void check_state();
  void check_unnamed();
  void violation(std::string what);
  void harness(std::string what);
  std::shared_ptr<const Judged> judged_of(protocol::NameState::Ns ns, const std::string& name);
  std::shared_ptr<Judged> fresh();

  Target target_;
  Options opt_;
  Counts& counts_;
  PgConn conn_;
  protocol::NameState model_;
  std::deque<Expect> expect_;
  bool skipping_ = false;    // the server skips extended messages up to the next Sync
  bool batch_open_ = false;  // extended messages sent since the last Sync
  bool unflushed_ = false;   // extended messages sent since the last Sync or Flush
  int syncs_due_ = 0;
  char status_ = 'I';
  int next_id_ = 0;
  std::vector<Value> keep_;  // values stay alive (and distinct) for the whole run
  std::vector<std::string> lines_;
  Outcome out_;
};

// Removes ops while `fails` still holds (one-at-a-time and halving passes, bounded).
std::vector<Op> minimize(std::vector<Op> ops, const Target& t, const Options& o, int max_trials);

}  // namespace airlock::differential
