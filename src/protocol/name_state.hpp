#pragma once
// What a PostgreSQL backend holds under each prepared-statement and portal name, as far as a
// proxy can prove it from the messages it forwards and the answers it relays. Sans-I/O: the
// owner feeds it each client message as it goes upstream, in order, and each answer as the
// client receives it. Values are opaque (whatever the owner judged for the name).
//
// The invariant, for every name:
//   view says Known(x)   -> the server holds x under that name, or nothing;
//   view says Absent     -> the server holds nothing this model was told about (code on the
//                           server, e.g. a function's dynamic PREPARE or OPEN, may still make
//                           names it never sees);
//   view says Uncertain  -> anything: never use it.
// So a proxy that lets a client Bind or Execute only a Known name, and judges it as x, never
// lets the server run something it did not judge. Known needs proof: the server's
// confirmation, or being later in the same batch (a message after a failed one is never run).
// Because Absent is not proof of nothing, a name that is Absent or Known(x) before a batch and
// may be set to y by it is Uncertain after it until the server answers (join: equal or
// Uncertain).
//
// PostgreSQL facts modelled (protocol-flow.html "Extended Query", postgres.c):
// - after an ErrorResponse the server skips every message up to Sync, answering none;
// - Parse "" drops the old unnamed statement before parsing, so also when it fails;
//   Parse of an existing named statement fails (42P05) and keeps the old one;
// - Bind "" replaces the unnamed portal; Bind of an existing named portal fails (42P03);
// - Close of a missing name succeeds;
// - a simple Query first drops the unnamed statement and the unnamed portal;
// - portals made by Bind end with their transaction (ReadyForQuery 'I' means none is left);
//   after an error they cannot run, but ROLLBACK TO may revive older ones, so they are kept;
//   cursors declared WITH HOLD outlive their transaction;
// - a simple Query makes the unnamed portal for each of its statements; an empty one, or one
//   that fails early, keeps the old one, so after a Query it is unknown (and a portal of a
//   failed Query must never be executed: PostgreSQL 15 can crash on it);
// - a Sync's commit can fail (deferred constraints): ErrorResponse, then ReadyForQuery.
// Answers: Parse '1', Bind '2', Close '3', Describe 't'? then 'T'|'n', Execute 'C'|'I'|'s',
// Sync 'Z'; a Query one 'C'|'I' per statement (or an 'E' that ends it), then 'Z'.
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::protocol {

class NameState {
 public:
  enum class Ns : std::uint8_t { Statement = 0, Portal = 1 };
  enum class State : std::uint8_t { Absent, Known, Uncertain };
  using Value = std::shared_ptr<const void>;

  struct Slot {
    State state = State::Absent;
    Value value;             // Known: what the name holds
    bool transient = false;  // a portal made by Bind: it ends with its transaction
  };

  // One change to the names, applied when the message that carries it succeeds.
  struct Effect {
    // DropTransient: every portal made by Bind (COMMIT, ROLLBACK).
    enum class Kind : std::uint8_t { Set, Drop, DropAll, DropTransient, Unsure };
    Kind kind = Kind::Set;
    Ns ns = Ns::Statement;
    std::string name;
    Value value;                 // Set
    std::uint32_t statement = 0;  // Query: the statement of the string that carries it
    bool transient = false;       // Set of a portal by Bind
  };

  // --- the view: what a message sent now may rely on ---
  Slot lookup(Ns ns, std::string_view name) const;
  std::size_t size() const;  // names held (an upper bound), for a cap

  // --- client messages, in the order they go upstream ---
  // A message replaced by one that cannot succeed (a denial) is passed with no value or
  // effects: it is answered by an error and changes nothing.
  void parse(std::string_view name, Value v);   // v null: it fails
  void bind(std::string_view portal, Value v);  // v null: it fails
  // `subject`: what is described, handed back by describing() while its answer is due.
  void describe(Value subject = nullptr);
  void close(Ns ns, std::string_view name);
  void execute(std::vector<Effect> effects);
  void sync();
  // A simple Query forwarded upstream (also one replaced by a failing statement).
  void query(std::vector<Effect> effects);

  // --- answers, as the client receives them ---
  // Types that answer no message (notices, rows, ParameterStatus...) are ignored. Returns
  // false when the answer fits no message in flight: the model is lost and every name is
  // Uncertain from then on.
  bool answer(char type, char status = 0);

  // Every message sent so far is answered, or will be skipped (the open batch failed):
  // then the view is exact, and batch_failed() tells whether the server skips what follows.
  bool settled() const { return pending_.empty(); }
  bool batch_failed() const { return skipping_; }
  bool lost() const { return lost_; }
  // The subject of the Describe the next answer belongs to, if that is a Describe.
  Value describing() const {
    return !pending_.empty() && pending_.front().type == 'D' ? pending_.front().subject : nullptr;
  }
  std::string pending_types() const;  // the messages awaiting answers, for diagnostics
  // When lost: the messages that were awaiting answers then.
  const std::string& lost_pending() const { return lost_pending_; }

 private:
  struct Op {
    char type = 0;
    std::vector<Effect> ok;  // on success (Query: per statement, by Effect::statement)
    Value subject;           // Describe
  };
  using Map = std::map<std::string, Slot, std::less<>>;

  void push(Op op);
  void view_apply(const Op& op);
  void view_effect(const Effect& e);
  void view_drop_many(const Effect& e);
  void view_fold();
  void rebuild_view();
  void confirm(const Effect& e);
  Slot base(Ns ns, std::string_view name) const;
  bool lose();

  // Answered state.
  std::array<Map, 2> confirmed_;
  // Sent, unanswered messages (a skipped part of a failed batch is dropped).
  std::deque<Op> pending_;
  bool skipping_ = false;     // the server discards messages up to the next Sync
  std::size_t syncs_pending_ = 0;  // Sync and Query messages in pending_
  bool query_failed_ = false;  // the Query at the head had an error
  bool query_started_ = false;  // the Query at the head has answered (its drops are done)
  std::uint32_t query_done_ = 0;  // statements of the head Query completed
  bool lost_ = false;
  std::string lost_pending_;
  // The view over the answered state: batches sent and not answered, each as the join of the
  // states any prefix of it may leave; the open batch as if all of it succeeds.
  std::array<Map, 2> inflight_;
  std::array<Map, 2> cur_;
  std::array<Map, 2> cur_union_;
};

}  // namespace airlock::protocol
