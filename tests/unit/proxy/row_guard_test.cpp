// RowGuard: scripted conversations with the server. Each case gives the guard's options, the
// server's messages, the session's decisions, and what must come of it: the messages the client
// receives, the commands that go upstream, the rows counted and the final state.
#include "proxy/row_guard.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/backend.hpp"
#include "protocol/builder.hpp"
#include "protocol/frame.hpp"
#include "protocol/frontend.hpp"

namespace airlock::proxy {
namespace {

using State = RowGuard::State;
using Tables = std::map<std::string, std::uint64_t, std::less<>>;

// As the session makes them: reserved (airlock_), random per session, and the marker apart.
constexpr std::string_view kName = "airlock_g00112233aabbccdd";
constexpr std::string_view kSavepoint = "airlock_s00112233aabbccdd";
constexpr std::string_view kMarker = "airlock_denied_00ff";
constexpr std::string_view kSql = "UPDATE t SET x = 1";
constexpr std::size_t kMax = 1 << 20;

// --- Server messages --------------------------------------------------------------------

std::string msg(char type, std::string_view body = {}) {
  std::string out;
  protocol::MessageBuilder(out).begin(type).bytes(body).end();
  return out;
}
std::string parse_complete() { return msg('1'); }
std::string bind_complete() { return msg('2'); }
std::string close_complete() { return msg('3'); }
std::string no_data() { return msg('n'); }
std::string empty_query() { return msg('I'); }
std::string portal_suspended() { return msg('s'); }
std::string complete(std::string_view tag) { return msg('C', std::string(tag) + '\0'); }
std::string parameter_description() {
  std::string out;
  protocol::MessageBuilder(out).begin('t').i16(1).i32(23).end();
  return out;
}
std::string row_description(std::string_view column) {
  std::string out;
  protocol::MessageBuilder(out)
      .begin('T')
      .i16(1)
      .cstring(column)
      .i32(0)
      .i16(0)
      .i32(25)
      .i16(-1)
      .i32(-1)
      .i16(0)
      .end();
  return out;
}
std::string data_row(const std::vector<std::string_view>& values) {
  std::string out;
  protocol::MessageBuilder b(out);
  b.begin('D').i16(static_cast<std::int16_t>(values.size()));
  for (auto v : values) b.i32(static_cast<std::int32_t>(v.size())).bytes(v);
  b.end();
  return out;
}
std::string error(std::string_view sqlstate, std::string_view text) {
  std::string out;
  protocol::append_error(out, {.severity = "ERROR", .sqlstate = sqlstate, .message = text});
  return out;
}
std::string notice(std::string_view text) {
  std::string out;
  protocol::append_notice(out, {.severity = "NOTICE", .sqlstate = "00000", .message = text});
  return out;
}
// BEGIN inside a transaction block: PostgreSQL warns, and the block goes on.
std::string already_in_progress() {
  std::string out;
  protocol::append_notice(out, {.severity = "WARNING",
                                .sqlstate = "25001",
                                .message = "there is already a transaction in progress"});
  return out;
}
std::string ready(char status) {
  std::string out;
  protocol::append_ready_for_query(out, status);
  return out;
}

// Answers to Airlock's Close (statement), Close (portal), Parse and Bind of one command.
std::string opened() {
  return close_complete() + close_complete() + parse_complete() + bind_complete();
}
// ... to Airlock's final Close of its portal and statement.
std::string closed() { return close_complete() + close_complete(); }
// ... and to one whole injected command.
std::string injected(std::string_view tag) { return opened() + complete(tag); }
// ... and to the extended protocol's BEGIN: in a batch's implicit transaction it opens a block;
// inside a block (the client's, or one Airlock opened earlier in the batch) it warns 25001.
std::string begun(bool in_block) {
  return opened() + (in_block ? already_in_progress() : std::string()) + complete("BEGIN");
}
// ... and to a count query: one row per table, ("public.t", "5").
std::string counted(const std::vector<std::pair<std::string_view, std::string_view>>& rows) {
  std::string out = opened();
  for (const auto& [table, n] : rows) out += data_row({table, n});
  return out + complete("SELECT " + std::to_string(rows.size()));
}
std::string marker_error() {
  return error("42601", "syntax error at or near \"" + std::string(kMarker) + "\"");
}
const std::string kDeny = "airlock: this UPDATE of t would change 5 rows; the limit is 2 [limit]";
const std::string kHint = "Nothing was changed.";

// --- Scripts ------------------------------------------------------------------------------

enum class Do : std::uint8_t { Feed, Commit, RollBack, Undo, RunAgain, ClientSync, Expect };
// A guard made for the client's Sync after a batch whose block Airlock opened (at_sync rows):
// the session sends that Sync, then the guard's commit_at_sync() instead of start().
struct Act {
  Do what;
  std::string frames = {};       // Feed: server messages
  State state = State::Running;  // Expect: the state now ...
  std::string client = {};       // ... and the types the client has received so far
};
Act feed(std::string frames) { return {.what = Do::Feed, .frames = std::move(frames)}; }
Act expect(State s, std::string client) {
  return {.what = Do::Expect, .state = s, .client = std::move(client)};
}
const Act kCommit{.what = Do::Commit};
const Act kRollBack{.what = Do::RollBack};
const Act kUndo{.what = Do::Undo};
const Act kRunAgain{.what = Do::RunAgain};
const Act kClientSync{.what = Do::ClientSync};  // the client's Sync goes up

struct GuardCase {
  const char* name;
  bool simple = true;  // Query; false: Execute
  bool in_transaction = false;  // Execute: the server warns 25001 on BEGIN (in begun(true))
  int prefix = 0;
  bool block_is_ours = false;  // Execute: an earlier guarded write of the batch opened the block
  bool at_sync = false;        // commit_at_sync() after the client's Sync, not start()
  std::vector<Act> script;
  std::string client;                 // types of the messages the client receives, in order
  std::vector<std::string> upstream;  // see summarize_upstream
  State state = State::Done;
  std::uint64_t total = 0;
  Tables tables = {};
  bool committed = false;
  std::string error = {};  // text inside the client's one ErrorResponse
  int readies = 0;         // frames after which passed_ready() was true
  bool opens_block = false;  // at the end: Airlock's block is to be committed at the Sync
};

void PrintTo(const GuardCase& c, std::ostream* os) { *os << c.name; }

struct Frames {
  std::vector<protocol::Frame> frames;
  std::vector<std::string_view> raw;
};

Frames split(std::string_view bytes) {
  Frames out;
  while (!bytes.empty()) {
    protocol::Frame f;
    if (protocol::decode_typed(bytes, kMax, f) != protocol::DecodeStatus::Ready) {
      ADD_FAILURE() << "bytes that are not whole messages: " << bytes.size() << " left";
      break;
    }
    out.frames.push_back(f);
    out.raw.push_back(bytes.substr(0, f.size));
    bytes.remove_prefix(f.size);
  }
  return out;
}

std::string types(std::string_view bytes) {
  std::string out;
  for (const auto& f : split(bytes).frames) out.push_back(f.type);
  return out;
}

// Upstream, one entry per message that says what runs: a Parse's SQL ("count" for the row
// count query, "marker"), "Q <sql>" for a Query, "Describe", "Sync", "Flush", and "Close P" /
// "Close S" for a Close of Airlock's portal / statement that frees its names (not the pair
// before each Parse). The rest only frame those, and are checked here: every Parse but the
// marker's is preceded by Close of Airlock's statement and portal and followed by Bind,
// (Describe,) Execute of them.
std::vector<std::string> summarize_upstream(std::string_view up, std::string_view sql) {
  const Frames fs = split(up);
  std::vector<std::string> out;
  const auto& v = fs.frames;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto& f = v[i];
    switch (f.type) {
      case 'P': {
        auto p = protocol::parse_parse(f);
        if (!p) {
          ADD_FAILURE() << "Parse does not decode";
          break;
        }
        EXPECT_EQ(p->statement, kName);
        if (p->query == kMarker) {
          out.emplace_back("marker");
          break;
        }
        out.emplace_back(p->query.find("pg_stat_xact_user_tables") != std::string_view::npos
                             ? std::string("count")
                             : std::string(p->query));
        auto target = [&](std::size_t at, char type) -> std::optional<protocol::TargetMessage> {
          if (at >= v.size() || v[at].type != type) return std::nullopt;
          return protocol::parse_target(v[at]);
        };
        const auto cs = i >= 2 ? target(i - 2, 'C') : std::nullopt;
        const auto cp = i >= 1 ? target(i - 1, 'C') : std::nullopt;
        EXPECT_TRUE(cs && cs->kind == 'S' && cs->name == kName) << p->query << ": no Close 'S'";
        EXPECT_TRUE(cp && cp->kind == 'P' && cp->name == kName) << p->query << ": no Close 'P'";
        const auto b = i + 1 < v.size() ? protocol::parse_bind(v[i + 1]) : std::nullopt;
        EXPECT_TRUE(b && b->portal == kName && b->statement == kName) << p->query << ": no Bind";
        std::size_t at = i + 2;
        if (const auto d = target(at, 'D')) {
          EXPECT_TRUE(d->kind == 'P' && d->name == kName && p->query == sql);
          ++at;
        }
        const auto e = at < v.size() ? protocol::parse_execute(v[at]) : std::nullopt;
        EXPECT_TRUE(e && e->portal == kName && e->max_rows == 0) << p->query << ": no Execute";
        break;
      }
      case 'Q':
        out.push_back("Q " + std::string(protocol::parse_query(f).value_or("?")));
        break;
      case 'D':
        out.emplace_back("Describe");
        break;
      case 'S':
        out.emplace_back("Sync");
        break;
      case 'H':
        out.emplace_back("Flush");
        break;
      case 'C': {
        // The Close S, Close P before an injected Parse are checked with it.
        const auto t = protocol::parse_target(f);
        const auto next_is_parse = [&](std::size_t at) {
          if (at >= v.size() || v[at].type != 'P') return false;
          const auto p = protocol::parse_parse(v[at]);
          return p && p->query != kMarker;
        };
        const auto next_is_close_p = [&](std::size_t at) {
          if (at >= v.size() || v[at].type != 'C') return false;
          const auto n = protocol::parse_target(v[at]);
          return n && n->kind == 'P';
        };
        if (!t) {
          out.emplace_back("Close ?");
          break;
        }
        if ((t->kind == 'S' && next_is_close_p(i + 1) && next_is_parse(i + 2)) ||
            (t->kind == 'P' && next_is_parse(i + 1) && i >= 1 && v[i - 1].type == 'C')) {
          break;
        }
        out.push_back(std::string("Close ") + t->kind + (t->name == kName ? "" : " ?"));
        break;
      }
      case 'B':
      case 'E':
        break;
      default:
        out.push_back(std::string("unexpected ") + f.type);
        break;
    }
  }
  return out;
}

std::vector<std::string> cat(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
// What start() sends: a Query gets BEGIN (autocommit) or SAVEPOINT (in a block); an Execute
// gets BEGIN and SAVEPOINT wherever it is; then count, the statement, count.
std::vector<std::string> opening(bool simple, bool in_transaction) {
  std::vector<std::string> out;
  if (!simple || !in_transaction) out.emplace_back("BEGIN");
  if (!simple || in_transaction) out.push_back("SAVEPOINT " + std::string(kSavepoint));
  out.emplace_back("count");
  out.emplace_back(kSql);
  if (simple) out.emplace_back("Describe");
  out.emplace_back("count");
  out.emplace_back("Flush");
  return out;
}
// What run_again() sends: the same, but an Execute's block is open already (no second BEGIN).
std::vector<std::string> reopening(bool simple, bool in_transaction) {
  std::vector<std::string> out = opening(simple, in_transaction);
  if (!simple) out.erase(out.begin());
  return out;
}

// What commit() sends: COMMIT (a Query's own block) or RELEASE, then the Close of Airlock's
// names, sent with a Sync (Query) or a Flush (Execute: the client's own Sync follows, and the
// block, if Airlock's, is committed after it).
std::vector<std::string> committing(bool simple, bool in_transaction) {
  return {simple && !in_transaction ? std::string("COMMIT")
                                    : "RELEASE SAVEPOINT " + std::string(kSavepoint),
          "Close P", "Close S", simple ? "Sync" : "Flush"};
}
// What roll_back() and undo_for_retry() send after a count: ROLLBACK (a Query's own block) or
// ROLLBACK TO SAVEPOINT; roll_back() then sends the marker.
std::string undoing(bool simple, bool in_transaction) {
  return simple && !in_transaction ? std::string("ROLLBACK")
                                   : "ROLLBACK TO SAVEPOINT " + std::string(kSavepoint);
}
std::vector<std::string> rolling_back(bool simple, bool in_transaction) {
  return {undoing(simple, in_transaction), "marker", "Flush"};
}
// After an error: the Sync that ends the skipping (the guard's for a Query, the client's for an
// Execute), the ROLLBACK of Airlock's failed block if there is one, the Close of its names and
// the Sync whose ReadyForQuery is the client's.
std::vector<std::string> cleanup(bool rollback) {
  std::vector<std::string> out{"Sync"};
  if (rollback) out.emplace_back("Q ROLLBACK");
  for (const char* m : {"Close P", "Close S", "Sync"}) out.emplace_back(m);
  return out;
}
// ... and what the server answers: the ReadyForQuery of the Sync (swallowed), the ROLLBACK
// (swallowed), the two CloseComplete (swallowed) and the client's ReadyForQuery.
std::string cleaned(char after_error, bool rollback, char last) {
  std::string out = ready(after_error);
  if (rollback) out += complete("ROLLBACK") + ready('I');
  return out + closed() + ready(last);
}

struct Conversation {
  RowGuard guard;
  std::string up;
  std::string client;
  int readies = 0;
  bool errored = false;  // the server sent an ErrorResponse
};

void play(const GuardCase& c, Conversation& run) {
  for (const Act& act : c.script) {
    std::string up;
    switch (act.what) {
      case Do::Feed: {
        const Frames fs = split(act.frames);
        for (std::size_t i = 0; i < fs.frames.size(); ++i) {
          ASSERT_EQ(run.guard.state(), State::Running)
              << "fed frame " << i << " ('" << fs.frames[i].type << "') while not running";
          std::string to_client;
          run.errored = run.errored || fs.frames[i].type == 'E';
          run.guard.on_frame(fs.frames[i], fs.raw[i], to_client, up);
          if (run.guard.passed_ready()) {
            ++run.readies;
            EXPECT_EQ(types(to_client), "Z");
          }
          run.client += to_client;
        }
        break;
      }
      case Do::Commit:
        ASSERT_EQ(run.guard.state(), State::Decide);
        run.guard.commit(up);
        break;
      case Do::RollBack:
        ASSERT_TRUE(run.guard.state() == State::Decide || run.guard.state() == State::Undone);
        run.guard.roll_back(up, Error::make(sqlstate::kInsufficientPrivilege, kDeny), kHint);
        break;
      case Do::Undo:
        ASSERT_EQ(run.guard.state(), State::Decide);
        run.guard.undo_for_retry(up);
        break;
      case Do::RunAgain:
        ASSERT_EQ(run.guard.state(), State::Undone);
        run.guard.run_again(up);
        break;
      case Do::ClientSync:
        ASSERT_EQ(run.guard.state(), State::AwaitClientSync);
        protocol::append_sync(up);  // the session sends the client's Sync first, as relay.cpp does
        run.guard.after_client_sync(up);
        break;
      case Do::Expect:
        ASSERT_EQ(run.guard.state(), act.state);
        ASSERT_EQ(types(run.client), act.client);
        break;
    }
    run.up += up;
  }
}

class RowGuardTable : public ::testing::TestWithParam<GuardCase> {};

TEST_P(RowGuardTable, Conversation) {
  const GuardCase& c = GetParam();
  Conversation run{RowGuard({.in_transaction = c.in_transaction,
                             .prefix_responses = c.prefix,
                             .name = std::string(kName),
                             .savepoint = std::string(kSavepoint),
                             .marker = std::string(kMarker),
                             .block_is_ours = c.block_is_ours},
                            {.sql = std::string(kSql), .simple = c.simple}),
                   {},
                   {},
                   0,
                   false};
  if (c.at_sync) {
    protocol::append_sync(run.up);  // the client's Sync goes up first, as relay.cpp does
    run.guard.commit_at_sync(run.up);
  } else {
    run.guard.start(run.up);
  }
  play(c, run);
  if (HasFatalFailure()) return;

  EXPECT_EQ(types(run.client), c.client);
  EXPECT_EQ(summarize_upstream(run.up, kSql), c.upstream);
  EXPECT_EQ(run.guard.state(), c.state);
  EXPECT_EQ(run.guard.rows().total, c.total);
  EXPECT_EQ(run.guard.rows().tables, c.tables);
  EXPECT_EQ(run.guard.committed(), c.committed);
  EXPECT_EQ(run.readies, c.readies);
  EXPECT_EQ(run.guard.opens_block(), c.opens_block);
  if (c.simple) {
    EXPECT_FALSE(c.opens_block) << "a Query's guard never leaves a block to commit";
  }
  const Frames fs = split(run.client);
  for (std::size_t i = 0; i < fs.frames.size(); ++i) {
    if (fs.frames[i].type != 'E') continue;
    EXPECT_FALSE(c.error.empty()) << "unexpected error: " << fs.raw[i];
    EXPECT_NE(fs.raw[i].find(c.error), std::string_view::npos) << fs.raw[i];
  }
  // Airlock's internal names never reach the client: not in the guard's XX000, not anywhere.
  for (std::string_view internal : {kName, kSavepoint, kMarker}) {
    EXPECT_EQ(run.client.find(internal), std::string::npos) << "the client saw " << internal;
  }
  // Nor does the 25001 warning of Airlock's BEGIN: PostgreSQL would not have sent it.
  EXPECT_EQ(run.client.find("already a transaction"), std::string::npos);
  if (c.at_sync) return;  // names are neither opened nor closed: see the at_sync rows
  // Once the client has the turn, Airlock's names hold nothing: the last thing upstream is
  // their Close (with the Sync or Flush that sends it), and after an error, it follows a Sync
  // that ended the skipping (and the ROLLBACK of Airlock's block), or the server skipped it.
  if (run.guard.state() == State::Done) {
    const std::vector<std::string> up = summarize_upstream(run.up, kSql);
    const std::size_t n = up.size();
    ASSERT_GE(n, 4U);
    EXPECT_EQ(up[n - 3], "Close P");
    EXPECT_EQ(up[n - 2], "Close S");
    EXPECT_TRUE(up[n - 1] == "Sync" || up[n - 1] == "Flush") << up[n - 1];
    if (run.errored) {
      EXPECT_EQ(up[n - 1], "Sync");
      const std::size_t before = up[n - 4] == "Q ROLLBACK" ? n - 5 : n - 4;
      EXPECT_EQ(up[before], "Sync") << "the final Close would be skipped after the error";
    }
  }
  // The held command tag reaches the client only when the statement took effect.
  const bool tag_sent = run.client.find(complete("UPDATE 5")) != std::string::npos;
  if (tag_sent) {
    EXPECT_TRUE(run.guard.committed());
  }
}

// The statement's answers up to its command tag; for a Query, Airlock's Describe adds a NoData.
std::string update5(bool simple) {
  return opened() + (simple ? no_data() : "") + complete("UPDATE 5");
}
// The answers up to the statement's (an Execute: BEGIN, warning in a block, then SAVEPOINT).
std::string opened_block(bool simple, bool txn) {
  if (simple) return injected(txn ? "SAVEPOINT" : "BEGIN");
  return begun(txn) + injected("SAVEPOINT");
}
std::string ran_update5(bool simple, bool txn, int prefix = 0) {
  std::string out;
  if (prefix > 0) out += parse_complete();
  if (prefix > 1) out += bind_complete();
  return out + opened_block(simple, txn) + counted({{"public.t", "3"}}) + update5(simple) +
         counted({{"public.t", "8"}});
}
const Tables kT5 = {{"public.t", 5}};

INSTANTIATE_TEST_SUITE_P(
    Cases, RowGuardTable,
    ::testing::Values(
        // --- the statement is kept --------------------------------------------------------
        GuardCase{.name = "autocommit_query_commit",
                  .script = {feed(ran_update5(true, false)), expect(State::Decide, ""), kCommit,
                             feed(injected("COMMIT") + closed() + ready('I'))},
                  .client = "CZ",
                  .upstream = cat({opening(true, false), committing(true, false)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true,
                  .readies = 1},
        GuardCase{.name = "autocommit_execute_commit_relays_prefix",
                  .simple = false,
                  .prefix = 2,
                  .script = {feed(ran_update5(false, false, 2)), expect(State::Decide, "12"),
                             kCommit, feed(injected("RELEASE") + closed())},
                  .client = "12C",
                  .upstream = cat({opening(false, false), committing(false, false)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true,
                  .opens_block = true},
        GuardCase{.name = "transaction_query_release",
                  .in_transaction = true,
                  .script = {feed(ran_update5(true, true)), kCommit,
                             feed(injected("RELEASE") + closed() + ready('T'))},
                  .client = "CZ",
                  .upstream = cat({opening(true, true), committing(true, true)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true,
                  .readies = 1},
        GuardCase{.name = "transaction_execute_release",
                  .simple = false,
                  .in_transaction = true,
                  .prefix = 2,
                  .script = {feed(ran_update5(false, true, 2)), kCommit,
                             feed(injected("RELEASE") + closed())},
                  .client = "12C",
                  .upstream = cat({opening(false, true), committing(false, true)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true},
        GuardCase{.name = "commit_done_only_once_closes_answered",
                  .simple = false,
                  .script = {feed(ran_update5(false, false)), kCommit,
                             feed(injected("RELEASE") + close_complete()),
                             expect(State::Running, "C"), feed(close_complete())},
                  .client = "C",
                  .upstream = cat({opening(false, false), committing(false, false)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true,
                  .opens_block = true},

        // --- over the limit: the marker's error becomes the guard's ---------------------
        GuardCase{.name = "autocommit_query_over_limit",
                  .script = {feed(ran_update5(true, false)), kRollBack,
                             feed(injected("ROLLBACK") + marker_error() +
                                  cleaned('I', false, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, false), rolling_back(true, false), cleanup(false)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},
        GuardCase{.name = "autocommit_query_over_limit_hint",
                  .script = {feed(ran_update5(true, false)), kRollBack,
                             feed(injected("ROLLBACK") + marker_error() +
                                  cleaned('I', false, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, false), rolling_back(true, false), cleanup(false)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kHint,
                  .readies = 1},
        GuardCase{.name = "autocommit_execute_over_limit",
                  .simple = false,
                  .prefix = 2,
                  .script = {feed(ran_update5(false, false, 2)), kRollBack,
                             feed(injected("ROLLBACK") + marker_error()),
                             expect(State::AwaitClientSync, "12E"), kClientSync,
                             feed(cleaned('E', true, 'I'))},
                  .client = "12EZ",
                  .upstream = cat({opening(false, false), rolling_back(false, false), cleanup(true)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},
        GuardCase{.name = "transaction_query_roll_back",
                  .in_transaction = true,
                  .script = {feed(ran_update5(true, true)), kRollBack,
                             feed(injected("ROLLBACK") + marker_error() +
                                  cleaned('E', false, 'E'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, true), rolling_back(true, true), cleanup(false)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},
        GuardCase{.name = "transaction_execute_roll_back",
                  .simple = false,
                  .in_transaction = true,
                  .prefix = 2,
                  .script = {feed(ran_update5(false, true, 2)), kRollBack,
                             feed(injected("ROLLBACK") + marker_error()),
                             expect(State::AwaitClientSync, "12E"), kClientSync,
                             feed(cleaned('E', false, 'E'))},
                  .client = "12EZ",
                  .upstream = cat({opening(false, true), rolling_back(false, true), cleanup(false)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},

        // --- held for approval: undone, then run again or refused -------------------------
        GuardCase{
            .name = "undo_then_run_again_commits_once",
            .script = {feed(ran_update5(true, false)), kUndo, feed(injected("ROLLBACK")),
                       expect(State::Undone, ""), kRunAgain, feed(ran_update5(true, false)),
                       expect(State::Decide, ""), kCommit,
                       feed(injected("COMMIT") + closed() + ready('I'))},
            .client = "CZ",
            .upstream = cat({opening(true, false),
                             {"ROLLBACK", "Flush"},
                             opening(true, false),
                             committing(true, false)}),
            .total = 5,
            .tables = kT5,
            .committed = true,
            .readies = 1},
        GuardCase{.name = "undo_then_refused_in_transaction_execute",
                  .simple = false,
                  .in_transaction = true,
                  .prefix = 2,
                  .script = {feed(ran_update5(false, true, 2)), kUndo, feed(injected("ROLLBACK")),
                             expect(State::Undone, "12"), kRollBack, feed(marker_error()),
                             expect(State::AwaitClientSync, "12E"), kClientSync,
                             feed(cleaned('E', false, 'E'))},
                  .client = "12EZ",
                  .upstream = cat({opening(false, true),
                                   {"ROLLBACK TO SAVEPOINT " + std::string(kSavepoint), "Flush",
                                    "marker", "Flush"},
                                   cleanup(false)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},

        // --- the statement's own error -----------------------------------------------------
        GuardCase{.name = "statement_error_autocommit_execute_rolls_back_after_client_sync",
                  .simple = false,
                  .prefix = 2,
                  .script = {feed(parse_complete() + bind_complete() + opened_block(false, false) +
                                  counted({}) + opened() + error("23505", "duplicate key")),
                             expect(State::AwaitClientSync, "12E"), kClientSync,
                             feed(cleaned('E', true, 'I'))},
                  .client = "12EZ",
                  .upstream = cat({opening(false, false), cleanup(true)}),
                  .error = "duplicate key",
                  .readies = 1},
        GuardCase{.name = "statement_error_autocommit_query_rolls_back_after_sync",
                  .script = {feed(injected("BEGIN") + counted({}) + opened() + no_data() +
                                  error("23505", "duplicate key")),
                             expect(State::Running, "E"), feed(cleaned('E', true, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, false), cleanup(true)}),
                  .error = "duplicate key",
                  .readies = 1},
        GuardCase{.name = "statement_error_in_transaction_query",
                  .in_transaction = true,
                  .script = {feed(injected("SAVEPOINT") + counted({}) + opened() + no_data() +
                                  error("23505", "duplicate key") + cleaned('E', false, 'E'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, true), cleanup(false)}),
                  .error = "duplicate key",
                  .readies = 1},
        GuardCase{.name = "statement_error_in_transaction_execute",
                  .simple = false,
                  .in_transaction = true,
                  .prefix = 2,
                  .script = {feed(parse_complete() + bind_complete() + opened_block(false, true) +
                                  counted({}) + opened() + error("23505", "duplicate key")),
                             expect(State::AwaitClientSync, "12E"), kClientSync,
                             feed(cleaned('E', false, 'E'))},
                  .client = "12EZ",
                  .upstream = cat({opening(false, true), cleanup(false)}),
                  .error = "duplicate key",
                  .readies = 1},

        // --- the extended protocol's block: whose it is, and its end at the client's Sync ---
        GuardCase{.name = "execute_in_client_block_warning_swallowed_block_left_to_client",
                  // JDBC with autocommit off: BEGIN warns 25001 and the block stays the
                  // client's: no COMMIT after its Sync.
                  .simple = false,
                  .in_transaction = true,
                  .script = {feed(begun(true)), expect(State::Running, ""),
                             feed(injected("SAVEPOINT") + counted({{"public.t", "3"}}) +
                                  update5(false) + counted({{"public.t", "8"}})),
                             kCommit, feed(injected("RELEASE") + closed())},
                  .client = "C",
                  .upstream = cat({opening(false, true), committing(false, true)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true,
                  .opens_block = false},
        GuardCase{.name = "execute_in_client_block_over_limit_no_rollback_after_sync",
                  .simple = false,
                  .in_transaction = true,
                  .script = {feed(ran_update5(false, true)), kRollBack,
                             feed(injected("ROLLBACK") + marker_error()),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', false, 'E'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, true), rolling_back(false, true), cleanup(false)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},
        GuardCase{.name = "execute_begin_other_notice_relayed_block_ours",
                  // Only BEGIN's 25001 says the block exists; any other notice is the client's.
                  .simple = false,
                  .script = {feed(opened() + notice("n") + complete("BEGIN") +
                                  injected("SAVEPOINT") + counted({}) + update5(false) +
                                  counted({{"public.t", "5"}})),
                             kCommit, feed(injected("RELEASE") + closed())},
                  .client = "NC",
                  .upstream = cat({opening(false, false), committing(false, false)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true,
                  .opens_block = true},
        GuardCase{.name = "second_write_in_airlock_block_commit_keeps_ours",
                  // An earlier guarded write of the batch opened Airlock's block: this BEGIN
                  // warns, and the block is still Airlock's, committed after the Sync.
                  .simple = false,
                  .block_is_ours = true,
                  .script = {feed(ran_update5(false, true)), kCommit,
                             feed(injected("RELEASE") + closed())},
                  .client = "C",
                  .upstream = cat({opening(false, true), committing(false, true)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true,
                  .opens_block = true},
        GuardCase{.name = "second_write_in_airlock_block_fails_rolled_back_after_sync",
                  .simple = false,
                  .block_is_ours = true,
                  .script = {feed(opened_block(false, true) + counted({}) + opened() +
                                  error("23505", "duplicate key")),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', true, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, true), cleanup(true)}),
                  .error = "duplicate key",
                  .readies = 1},
        GuardCase{.name = "second_write_in_airlock_block_over_limit_rolled_back_after_sync",
                  .simple = false,
                  .block_is_ours = true,
                  .script = {feed(ran_update5(false, true)), kRollBack,
                             feed(injected("ROLLBACK") + marker_error()),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', true, 'I'))},
                  .client = "EZ",
                  .upstream =
                      cat({opening(false, true), rolling_back(false, true), cleanup(true)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},
        // BEGIN itself fails (a cancel): no block was opened by it, so none is Airlock's
        // unless an earlier write of the batch opened it. In an implicit transaction the
        // Sync ends the failed batch ('I'); the client's own block stays aborted for it.
        GuardCase{.name = "begin_fails_autocommit_nothing_to_roll_back",
                  .simple = false,
                  .script = {feed(opened() + error("57014", "canceling statement")),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('I', false, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, false), cleanup(false)}),
                  .error = "canceling statement",
                  .readies = 1},
        GuardCase{.name = "begin_fails_in_client_block_never_rolls_it_back",
                  .simple = false,
                  .in_transaction = true,
                  .script = {feed(opened() + error("57014", "canceling statement")),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', false, 'E'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, true), cleanup(false)}),
                  .error = "canceling statement",
                  .readies = 1},
        GuardCase{.name = "begin_fails_in_airlock_block_rolled_back_after_sync",
                  .simple = false,
                  .block_is_ours = true,
                  .script = {feed(opened() + error("57014", "canceling statement")),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', true, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, true), cleanup(true)}),
                  .error = "canceling statement",
                  .readies = 1},
        GuardCase{.name = "prefix_error_in_client_block_never_rolls_it_back",
                  .simple = false,
                  .in_transaction = true,
                  .prefix = 1,
                  .script = {feed(error("42P01", "relation \"nope\" does not exist")),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', false, 'E'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, true), cleanup(false)}),
                  .error = "relation \"nope\" does not exist",
                  .readies = 1},
        GuardCase{.name = "hold_retry_execute_no_second_begin",
                  .simple = false,
                  .script = {feed(ran_update5(false, false)), kUndo, feed(injected("ROLLBACK")),
                             expect(State::Undone, ""), kRunAgain,
                             feed(injected("SAVEPOINT") + counted({{"public.t", "8"}}) +
                                  update5(false) + counted({{"public.t", "13"}})),
                             expect(State::Decide, ""), kCommit,
                             feed(injected("RELEASE") + closed())},
                  .client = "C",
                  .upstream = cat({opening(false, false),
                                   {undoing(false, false), "Flush"},
                                   reopening(false, false),
                                   committing(false, false)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true,
                  .opens_block = true},
        GuardCase{.name = "hold_retry_execute_in_client_block_stays_the_clients",
                  .simple = false,
                  .in_transaction = true,
                  .script = {feed(ran_update5(false, true)), kUndo, feed(injected("ROLLBACK")),
                             kRunAgain,
                             feed(injected("SAVEPOINT") + counted({{"public.t", "8"}}) +
                                  update5(false) + counted({{"public.t", "13"}})),
                             kCommit, feed(injected("RELEASE") + closed())},
                  .client = "C",
                  .upstream = cat({opening(false, true),
                                   {undoing(false, true), "Flush"},
                                   reopening(false, true),
                                   committing(false, true)}),
                  .total = 5,
                  .tables = kT5,
                  .committed = true},
        GuardCase{.name = "hold_retry_execute_refused_airlock_block_rolled_back",
                  .simple = false,
                  .script = {feed(ran_update5(false, false)), kUndo, feed(injected("ROLLBACK")),
                             kRollBack, feed(marker_error()),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', true, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, false),
                                   {undoing(false, false), "Flush", "marker", "Flush"},
                                   cleanup(true)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},

        // --- commit_at_sync: Airlock's block ends with the client's Sync -----------------
        GuardCase{.name = "at_sync_airlock_block_committed",
                  .simple = false,
                  .at_sync = true,
                  .script = {feed(ready('T')), expect(State::Running, ""),
                             feed(complete("COMMIT") + ready('I'))},
                  .client = "Z",
                  .upstream = {"Sync", "Q COMMIT"},
                  .readies = 1},
        GuardCase{.name = "at_sync_commit_fails_deferred_constraint_error_then_ready",
                  .simple = false,
                  .at_sync = true,
                  .script = {feed(ready('T') +
                                  error("23503", "violates foreign key constraint") + ready('I'))},
                  .client = "EZ",
                  .upstream = {"Sync", "Q COMMIT"},
                  .error = "violates foreign key constraint",
                  .readies = 1},
        GuardCase{.name = "at_sync_batch_failed_after_write_commit_rolls_back",
                  // The batch failed after the guarded write (the client's error was relayed
                  // already): COMMIT of the aborted block answers ROLLBACK, swallowed.
                  .simple = false,
                  .at_sync = true,
                  .script = {feed(ready('E') + complete("ROLLBACK") + ready('I'))},
                  .client = "Z",
                  .upstream = {"Sync", "Q COMMIT"},
                  .readies = 1},
        GuardCase{.name = "at_sync_notices_relayed",
                  .simple = false,
                  .at_sync = true,
                  .script = {feed(notice("a") + ready('T') + notice("b") + complete("COMMIT") +
                                  ready('I'))},
                  .client = "NNZ",
                  .upstream = {"Sync", "Q COMMIT"},
                  .readies = 1},

        // --- errors around the statement ---------------------------------------------------
        GuardCase{
            .name = "prefix_error_cancels_guard_nothing_injected",
            .simple = false,
            .prefix = 2,
            .script = {feed(parse_complete() + error("42P01", "relation \"nope\" does not exist")),
                       expect(State::AwaitClientSync, "1E"), kClientSync,
                       feed(cleaned('I', false, 'I'))},
            .client = "1EZ",
            .upstream = cat({opening(false, false), cleanup(false)}),
            .error = "relation \"nope\" does not exist",
            .readies = 1},
        GuardCase{.name = "commit_fails_deferred_query_one_ready",
                  .script = {feed(ran_update5(true, false)), kCommit,
                             feed(opened() + error("23503", "violates foreign key constraint")),
                             expect(State::Running, "E"),
                             // the Close sent with COMMIT was skipped: it is sent again
                             feed(ready('I') + closed() + ready('I'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, false),
                                   committing(true, false),
                                   {"Close P", "Close S", "Sync"}}),
                  .total = 5,
                  .tables = kT5,
                  .error = "violates foreign key constraint",
                  .readies = 1},
        GuardCase{
            .name = "rollback_query_after_sync_fails_one_ready",
            // A Query's error skips nothing: the Close and Sync sent after it are answered.
            .script = {feed(injected("BEGIN") + counted({}) + opened() + no_data() +
                            error("57014", "canceling statement due to user request")),
                       feed(ready('E') + error("57014", "canceling statement due to user request") +
                            ready('E') + closed() + ready('E'))},
            .client = "EEZ",
            .upstream = cat({opening(true, false), cleanup(true)}),
            .error = "canceling statement due to user request",
            .readies = 1},
        GuardCase{
            .name = "rollback_query_after_client_sync_fails_one_ready",
            .simple = false,
            .script = {feed(opened_block(false, false) + counted({}) + opened() +
                            error("57014", "canceling statement due to user request")),
                       kClientSync,
                       feed(ready('E') + error("57014", "canceling statement due to user request") +
                            ready('E') + closed() + ready('E'))},
            .client = "EEZ",
            .upstream = cat({opening(false, false), cleanup(true)}),
            .error = "canceling statement due to user request",
            .readies = 1},
        GuardCase{
            .name = "close_fails_after_client_sync_client_has_the_turn",
            // The Close is skipped, so it is sent again after the Sync; that ReadyForQuery is
            // the client's, and the guard does not wait for a second Sync of the client's.
            .simple = false,
            .in_transaction = true,
            .script = {feed(opened_block(false, true) + counted({}) + opened() +
                            error("57014", "canceling statement due to user request")),
                       kClientSync,
                       feed(ready('E') + error("57014", "canceling statement due to user request") +
                            ready('E') + closed() + ready('E'))},
            .client = "EEZ",
            .upstream = cat({opening(false, true), cleanup(false), {"Close P", "Close S", "Sync"}}),
            .error = "canceling statement due to user request",
            .readies = 1},
        // An Execute's commit() is a RELEASE (deferred constraints fail at the COMMIT after the
        // client's Sync: see the at_sync rows); a RELEASE can fail all the same (a cancel). It
        // aborts Airlock's block, which is rolled back after the client's Sync.
        GuardCase{.name = "release_fails_execute_airlock_block_rolled_back_after_sync",
                  .simple = false,
                  .prefix = 2,
                  .script = {feed(ran_update5(false, false, 2)), kCommit,
                             feed(opened() + error("57014", "canceling statement")),
                             expect(State::AwaitClientSync, "12E"), kClientSync,
                             feed(cleaned('E', true, 'I'))},
                  .client = "12EZ",
                  .upstream =
                      cat({opening(false, false), committing(false, false), cleanup(true)}),
                  .total = 5,
                  .tables = kT5,
                  .error = "canceling statement",
                  .readies = 1},
        GuardCase{.name = "release_fails_execute_client_block_left_to_client",
                  .simple = false,
                  .in_transaction = true,
                  .script = {feed(ran_update5(false, true)), kCommit,
                             feed(opened() + error("57014", "canceling statement")),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', false, 'E'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, true), committing(false, true), cleanup(false)}),
                  .total = 5,
                  .tables = kT5,
                  .error = "canceling statement",
                  .readies = 1},
        GuardCase{.name = "count_before_fails_query_block_rolled_back",
                  .script = {feed(injected("BEGIN") + opened() +
                                  error("42501", "permission denied for view pg_stat_xact")),
                             feed(cleaned('E', true, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, false), cleanup(true)}),
                  .error = "the row guard could not run (permission denied for view pg_stat_xact)",
                  .readies = 1},
        GuardCase{
            .name = "count_after_fails_execute_tag_withheld",
            .simple = false,
            .prefix = 2,
            .script = {feed(parse_complete() + bind_complete() + opened_block(false, false) + counted({}) +
                            update5(false) + opened() + error("57014", "canceling statement")),
                       expect(State::AwaitClientSync, "12E"), kClientSync,
                       feed(cleaned('E', true, 'I'))},
            .client = "12EZ",
            .upstream = cat({opening(false, false), cleanup(true)}),
            .error = "the statement did not take effect",
            .readies = 1},
        GuardCase{.name = "count_after_fails_transaction_query",
                  .in_transaction = true,
                  .script = {feed(injected("SAVEPOINT") + counted({}) + update5(true) + opened() +
                                  error("57014", "canceling statement") +
                                  cleaned('E', false, 'E'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, true), cleanup(false)}),
                  .error = "could not run (canceling statement)",
                  .readies = 1},

        // --- the guard's XX000 never quotes Airlock's names --------------------------------
        GuardCase{.name = "guard_error_never_quotes_guard_statement_name",
                  .script = {feed(injected("BEGIN") + close_complete() + close_complete() +
                                  error("42P05", "prepared statement \"" + std::string(kName) +
                                                     "\" already exists")),
                             feed(cleaned('E', true, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, false), cleanup(true)}),
                  .error = "the row guard could not run (an internal statement failed)",
                  .readies = 1},
        GuardCase{.name = "guard_error_never_quotes_guard_portal_name",
                  .simple = false,
                  .script = {feed(opened_block(false, false) + counted({}) + update5(false) +
                                  close_complete() + close_complete() + parse_complete() +
                                  error("34000",
                                        "portal \"" + std::string(kName) + "\" does not exist")),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', true, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, false), cleanup(true)}),
                  .error = "the row guard could not run (an internal statement failed)",
                  .readies = 1},
        GuardCase{.name = "guard_error_never_quotes_savepoint",
                  .simple = false,
                  .in_transaction = true,
                  .script = {feed(ran_update5(false, true)), kRollBack,
                             feed(opened() + error("3B001", "savepoint \"" +
                                                                std::string(kSavepoint) +
                                                                "\" does not exist")),
                             expect(State::AwaitClientSync, "E"), kClientSync,
                             feed(cleaned('E', false, 'E'))},
                  .client = "EZ",
                  .upstream = cat({opening(false, true), rolling_back(false, true), cleanup(false)}),
                  .total = 5,
                  .tables = kT5,
                  .error = "the row guard could not run (an internal statement failed)",
                  .readies = 1},
        GuardCase{.name = "guard_error_never_quotes_marker",
                  .in_transaction = true,
                  .script = {feed(opened() + error("42601", "syntax error at or near \"" +
                                                                std::string(kMarker) + "\"") +
                                  cleaned('E', false, 'E'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, true), cleanup(false)}),
                  .error = "the row guard could not run (an internal statement failed)",
                  .readies = 1},

        // --- notices pass through whatever runs -------------------------------------------
        GuardCase{
            .name = "notices_in_every_phase_commit",
            .script = {feed(notice("a") + close_complete() + notice("b") + close_complete() +
                            parse_complete() + bind_complete() + complete("BEGIN") + opened() +
                            notice("c") + data_row({"public.t", "3"}) + complete("SELECT 1") +
                            opened() + no_data() + notice("d") + complete("UPDATE 5") +
                            notice("e") + counted({{"public.t", "8"}})),
                       expect(State::Decide, "NNNNN"), kCommit,
                       feed(opened() + notice("f") + complete("COMMIT") + notice("g") +
                            close_complete() + notice("h") + close_complete() + ready('I'))},
            .client = "NNNNNNCNNZ",
            .upstream = cat({opening(true, false), committing(true, false)}),
            .total = 5,
            .tables = kT5,
            .committed = true,
            .readies = 1},
        GuardCase{
            .name = "notices_in_prefix_and_swallowed_phases",
            .simple = false,
            .prefix = 2,
            .script = {feed(parse_complete() + notice("a") + bind_complete() + opened_block(false, false) +
                            counted({}) + opened() + notice("b") + error("23505", "duplicate key")),
                       kClientSync,
                       feed(notice("c") + ready('E') + notice("d") + complete("ROLLBACK") +
                            ready('I') + close_complete() + notice("e") + close_complete() +
                            ready('I'))},
            .client = "1N2NENNNZ",
            .upstream = cat({opening(false, false), cleanup(true)}),
            .error = "duplicate key",
            .readies = 1},
        GuardCase{.name = "notice_while_rolling_back_over_limit",
                  .script = {feed(ran_update5(true, false)), kRollBack,
                             feed(opened() + notice("x") + complete("ROLLBACK") + notice("y") +
                                  marker_error() + notice("z") + cleaned('I', false, 'I'))},
                  .client = "NNENZ",
                  .upstream = cat({opening(true, false), rolling_back(true, false), cleanup(false)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},

        // --- what the statement answers ---------------------------------------------------
        GuardCase{.name = "returning_rows_query_relayed_before_held_tag",
                  .script = {feed(injected("BEGIN") + counted({}) + opened() +
                                  row_description("id") + data_row({"1"}) + data_row({"2"}) +
                                  complete("INSERT 0 2") + counted({{"public.t", "2"}})),
                             expect(State::Decide, "TDD"), kCommit,
                             feed(injected("COMMIT") + closed() + ready('I'))},
                  .client = "TDDCZ",
                  .upstream = cat({opening(true, false), committing(true, false)}),
                  .total = 2,
                  .tables = {{"public.t", 2}},
                  .committed = true,
                  .readies = 1},
        GuardCase{.name = "returning_rows_execute_over_limit_no_tag",
                  .simple = false,
                  .prefix = 2,
                  .script = {feed(parse_complete() + bind_complete() + opened_block(false, false) +
                                  counted({}) + opened() + data_row({"1"}) + data_row({"2"}) +
                                  complete("UPDATE 5") + counted({{"public.t", "5"}})),
                             expect(State::Decide, "12DD"), kRollBack,
                             feed(injected("ROLLBACK") + marker_error()),
                             expect(State::AwaitClientSync, "12DDE"), kClientSync,
                             feed(cleaned('E', true, 'I'))},
                  .client = "12DDEZ",
                  .upstream = cat({opening(false, false), rolling_back(false, false), cleanup(true)}),
                  .total = 5,
                  .tables = kT5,
                  .error = kDeny,
                  .readies = 1},
        GuardCase{.name = "portal_suspended_held_like_a_tag",
                  .simple = false,
                  .prefix = 2,
                  .script = {feed(parse_complete() + bind_complete() + opened_block(false, false) +
                                  counted({}) + opened() + data_row({"1"}) + portal_suspended() +
                                  counted({{"public.t", "1"}})),
                             expect(State::Decide, "12D"), kCommit,
                             feed(injected("RELEASE") + closed())},
                  .client = "12Ds",
                  .upstream = cat({opening(false, false), committing(false, false)}),
                  .total = 1,
                  .tables = {{"public.t", 1}},
                  .committed = true,
                  .opens_block = true},
        GuardCase{.name = "empty_query_relayed_nothing_counted",
                  .script = {feed(injected("BEGIN") + counted({}) + opened() + no_data() +
                                  empty_query() + counted({})),
                             expect(State::Decide, "I"), kCommit,
                             feed(injected("COMMIT") + closed() + ready('I'))},
                  .client = "IZ",
                  .upstream = cat({opening(true, false), committing(true, false)}),
                  .committed = true,
                  .readies = 1},
        GuardCase{
            .name = "prefix_describe_statement_parameter_description",
            .simple = false,
            .prefix = 3,
            .script = {feed(parse_complete() + parameter_description() + no_data() +
                            bind_complete() + opened_block(false, false) + counted({{"public.t", "3"}}) +
                            update5(false) + counted({{"public.t", "8"}})),
                       expect(State::Decide, "1tn2"), kCommit, feed(injected("RELEASE") + closed())},
            .client = "1tn2C",
            .upstream = cat({opening(false, false), committing(false, false)}),
            .total = 5,
            .tables = kT5,
            .committed = true,
            .opens_block = true},

        // --- counting -------------------------------------------------------------------
        GuardCase{
            .name = "count_delta_per_table_cascade",
            .script = {feed(injected("BEGIN") + counted({{"public.t", "3"}, {"public.u", "10"}}) +
                            update5(true) +
                            counted({{"public.t", "8"}, {"public.u", "10"}, {"audit.log", "2"}})),
                       kCommit, feed(injected("COMMIT") + closed() + ready('I'))},
            .client = "CZ",
            .upstream = cat({opening(true, false), committing(true, false)}),
            .total = 7,
            .tables = {{"public.t", 5}, {"audit.log", 2}},
            .committed = true,
            .readies = 1},
        GuardCase{.name = "tag_count_wins_when_larger",
                  .script = {feed(injected("BEGIN") + counted({{"public.t", "3"}}) + opened() +
                                  no_data() + complete("DELETE 10") + counted({{"public.t", "4"}})),
                             kCommit, feed(injected("COMMIT") + closed() + ready('I'))},
                  .client = "CZ",
                  .upstream = cat({opening(true, false), committing(true, false)}),
                  .total = 10,
                  .tables = {{"public.t", 1}},
                  .committed = true,
                  .readies = 1},
        GuardCase{.name = "malformed_count_rows_ignored",
                  .script = {feed(injected("BEGIN") + counted({}) + opened() + no_data() +
                                  complete("UPDATE 0") + opened() + data_row({"public.t"}) +
                                  data_row({"public.u", "-1"}) + data_row({"public.v", "1x"}) +
                                  data_row({"public.w", "2"}) + complete("SELECT 4")),
                             kRollBack,
                             feed(injected("ROLLBACK") + marker_error() +
                                  cleaned('I', false, 'I'))},
                  .client = "EZ",
                  .upstream = cat({opening(true, false), rolling_back(true, false), cleanup(false)}),
                  .total = 2,
                  .tables = {{"public.w", 2}},
                  .error = kDeny,
                  .readies = 1}),
    [](const ::testing::TestParamInfo<GuardCase>& p) { return std::string(p.param.name); });

// The guard's names hold nothing when the client has the turn, whatever the outcome, as the
// session runs it (no answers due before the guard: prefix_responses = 0). Checked for every
// row ending in Done by the test itself: the last thing upstream closes the names, after the
// Sync that ends an error's skipping.
enum class Outcome : std::uint8_t { Commit, OverLimit, StatementError };

GuardCase names_closed(const char* name, Outcome outcome, bool simple, bool txn) {
  GuardCase c{.name = name, .simple = simple, .in_transaction = txn};
  const char last = txn ? (outcome == Outcome::Commit ? 'T' : 'E') : 'I';
  switch (outcome) {
    case Outcome::Commit:
      c.script = {feed(ran_update5(simple, txn)), kCommit,
                  feed(injected(txn || !simple ? "RELEASE" : "COMMIT") + closed() +
                       (simple ? ready(last) : std::string()))};
      c.client = simple ? "CZ" : "C";
      c.upstream = cat({opening(simple, txn), committing(simple, txn)});
      c.total = 5;
      c.tables = kT5;
      c.committed = true;
      c.readies = simple ? 1 : 0;
      c.opens_block = !simple && !txn;  // committed after the client's Sync
      break;
    case Outcome::OverLimit:
      c.script = {feed(ran_update5(simple, txn)), kRollBack,
                  feed(injected("ROLLBACK") + marker_error())};
      if (!simple) c.script.push_back(kClientSync);
      // An Execute's marker aborts Airlock's block, rolled back after the client's Sync.
      c.script.push_back(feed(cleaned(txn || !simple ? 'E' : 'I', !simple && !txn, last)));
      c.client = "EZ";
      c.upstream =
          cat({opening(simple, txn), rolling_back(simple, txn), cleanup(!simple && !txn)});
      c.total = 5;
      c.tables = kT5;
      c.error = kDeny;
      c.readies = 1;
      break;
    case Outcome::StatementError:
      c.script = {feed(opened_block(simple, txn) + counted({}) + opened() +
                       (simple ? no_data() : std::string()) + error("23505", "duplicate key"))};
      if (!simple) c.script.push_back(kClientSync);
      c.script.push_back(feed(cleaned('E', !txn, last)));
      c.client = "EZ";
      c.upstream = cat({opening(simple, txn), cleanup(!txn)});
      c.error = "duplicate key";
      c.readies = 1;
      break;
  }
  return c;
}

INSTANTIATE_TEST_SUITE_P(
    NamesClosed, RowGuardTable,
    ::testing::Values(
        names_closed("names_closed_after_commit_query_autocommit", Outcome::Commit, true, false),
        names_closed("names_closed_after_commit_query_transaction", Outcome::Commit, true, true),
        names_closed("names_closed_after_commit_execute_autocommit", Outcome::Commit, false, false),
        names_closed("names_closed_after_commit_execute_transaction", Outcome::Commit, false, true),
        names_closed("names_closed_after_over_limit_query_autocommit", Outcome::OverLimit, true,
                     false),
        names_closed("names_closed_after_over_limit_query_transaction", Outcome::OverLimit, true,
                     true),
        names_closed("names_closed_after_over_limit_execute_autocommit", Outcome::OverLimit, false,
                     false),
        names_closed("names_closed_after_over_limit_execute_transaction", Outcome::OverLimit,
                     false, true),
        names_closed("names_closed_after_statement_error_query_autocommit",
                     Outcome::StatementError, true, false),
        names_closed("names_closed_after_statement_error_query_transaction",
                     Outcome::StatementError, true, true),
        names_closed("names_closed_after_statement_error_execute_autocommit",
                     Outcome::StatementError, false, false),
        names_closed("names_closed_after_statement_error_execute_transaction",
                     Outcome::StatementError, false, true)),
    [](const ::testing::TestParamInfo<GuardCase>& p) { return std::string(p.param.name); });

// The client's parameter types and Bind values reach the re-issued statement unchanged.
TEST(RowGuard, ExecuteKeepsClientParametersAndFormats) {
  const std::string param_types("\0\2\0\0\0\x17\0\0\0\x19", 10);  // 2 types: int4, text
  const std::string bind_rest(
      "\0\0\0\2\0\0\0\1"
      "7\0\0\0\1x\0\1\0\1",
      18);
  RowGuard g({.name = std::string(kName), .marker = std::string(kMarker)},
             {.sql = "UPDATE t SET x = $2 WHERE id = $1",
              .param_types = param_types,
              .bind_rest = bind_rest,
              .simple = false});
  std::string up;
  g.start(up);
  const Frames fs = split(up);
  int seen = 0;
  for (std::size_t i = 0; i < fs.frames.size(); ++i) {
    auto p = protocol::parse_parse(fs.frames[i]);
    if (!p || p->query != "UPDATE t SET x = $2 WHERE id = $1") continue;
    ++seen;
    EXPECT_EQ(p->param_types, param_types);
    EXPECT_EQ(p->param_type_count, 2);
    auto b = protocol::parse_bind(fs.frames[i + 1]);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->rest, bind_rest);
    EXPECT_EQ(fs.frames[i + 2].type, 'E');  // no Describe: the client described it itself
  }
  EXPECT_EQ(seen, 1);
}

// Airlock's own commands bind without parameters and ask for text results.
TEST(RowGuard, InjectedCommandsBindNoParameters) {
  RowGuard g({.name = std::string(kName), .marker = std::string(kMarker)},
             {.sql = std::string(kSql)});
  std::string up;
  g.start(up);
  for (const auto& f : split(up).frames) {
    if (auto b = protocol::parse_bind(f)) {
      EXPECT_EQ(b->rest, std::string_view("\0\0\0\0\0\0", 6));
    }
  }
}

// A guard must be fed only while Running; frames for no step are the client's.
TEST(RowGuard, FrameWithNoStepIsRelayed) {
  RowGuard g({.name = std::string(kName), .marker = std::string(kMarker)},
             {.sql = std::string(kSql)});
  const std::string z = ready('I');
  const Frames fs = split(z);
  std::string to_client;
  std::string up;
  g.on_frame(fs.frames[0], fs.raw[0], to_client, up);
  EXPECT_EQ(to_client, z);
  EXPECT_TRUE(up.empty());
  EXPECT_FALSE(g.passed_ready());
}

struct TagCase {
  const char* tag;
  std::optional<std::uint64_t> rows;
};

class ChangedRowsInTag : public ::testing::TestWithParam<TagCase> {};

TEST_P(ChangedRowsInTag, Rows) {
  EXPECT_EQ(changed_rows_in_tag(GetParam().tag), GetParam().rows) << GetParam().tag;
}

INSTANTIATE_TEST_SUITE_P(
    Tags, ChangedRowsInTag,
    ::testing::Values(TagCase{"INSERT 0 5", 5}, TagCase{"INSERT 0 0", 0}, TagCase{"UPDATE 12", 12},
                      TagCase{"DELETE 1", 1}, TagCase{"MERGE 3", 3}, TagCase{"COPY 7", 7},
                      TagCase{"UPDATE 18446744073709551615", UINT64_MAX},
                      TagCase{"UPDATE 18446744073709551616", std::nullopt},
                      TagCase{"UPDATE -1", std::nullopt}, TagCase{"UPDATE 5x", std::nullopt},
                      TagCase{"UPDATE ", std::nullopt}, TagCase{"UPDATE", std::nullopt},
                      TagCase{"update 5", std::nullopt}, TagCase{"SELECT 5", std::nullopt},
                      TagCase{"FETCH 5", std::nullopt}, TagCase{"MOVE 5", std::nullopt},
                      TagCase{"CREATE TABLE", std::nullopt}, TagCase{"", std::nullopt},
                      TagCase{"UPDATEX 5", std::nullopt}));

}  // namespace
}  // namespace airlock::proxy
