// libFuzzer target: the row guard (src/proxy/row_guard.hpp) driven as the session drives it.
// The first input byte picks the options (Query or Execute, inside a transaction or not, the
// answers still due for the client's earlier messages) and one of two servers:
//  - chaos: every server message is made up from the input (frames from the front, the
//    session's decisions from the back), however little sense the sequence makes;
//  - model: a small model of PostgreSQL 15 (row_guard_model.hpp) answers what the guard
//    sends, failing and adding notices where the input says.
// Invariants, both: no crash or over-read; everything the guard writes decodes as whole
// messages (frontend upstream, well-formed where Airlock issues them; backend to the client);
// what reaches the client is a message the server sent or the guard's own ErrorResponse, which
// never quotes the marker, the guard's name or its savepoint; passed_ready() only for a relayed
// ReadyForQuery, and then the client has the turn (Done).
// Model only: the guard never waits for an answer that will not come and decides only once
// every answer is in; no answer is left over; when the client has the turn, the server holds
// no statement or portal under the guard's name; the client gets one ReadyForQuery, last, and
// at most one ErrorResponse (two when a cancel hit the guard's ROLLBACK), and none of Airlock's
// names nor the 25001 warning of Airlock's BEGIN; an Execute that failed waits for the client's
// Sync, one that did not never does; rows() is the statement's count; the statement's command
// tag reaches the client exactly when its changes were kept. An extended batch may hold up to
// three guarded writes, run as the session runs them (the later ones with block_is_ours once
// one opened Airlock's block, none after one failed), then the client's Sync, followed by
// commit_at_sync() when Airlock's block is open. When the client's batch ends (its
// ReadyForQuery relayed), no transaction block opened by Airlock is left open unless the client
// had its own (or a cancel hit the guard's ROLLBACK), the client's own block is never ended
// by Airlock, the ReadyForQuery's status is the server's, nothing the guard did not keep was
// committed, and a kept write is committed (autocommit) unless the client was told of an error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "protocol/backend.hpp"
#include "protocol/builder.hpp"
#include "protocol/frame.hpp"
#include "protocol/frontend.hpp"
#include "proxy/row_guard.hpp"
#include "row_guard_model.hpp"

namespace {

using namespace airlock;
using namespace airlock::fuzz;
using namespace airlock::protocol;
using airlock::proxy::RowGuard;
using State = RowGuard::State;

constexpr std::string_view kDeny = "airlock: over the limit [fuzz]";
constexpr std::string_view kSql = "UPDATE t SET x = 1";

// What the guard sent upstream: only messages it issues, each well-formed, and only under
// Airlock's own names (the client's statements and portals are never touched).
Frames check_upstream(std::string_view up, bool at_sync = false) {
  Frames fs = whole(up);
  for (const auto& [f, raw] : fs) {
    switch (f.type) {
      case 'P': {
        const auto p = parse_parse(f);
        check(p && p->statement == kName);
        break;
      }
      case 'B': {
        const auto b = parse_bind(f);
        check(b && b->portal == kName && b->statement == kName);
        break;
      }
      case 'E': {
        const auto e = parse_execute(f);
        check(e && e->portal == kName && e->max_rows == 0);
        break;
      }
      case 'C':
      case 'D': {
        const auto t = parse_target(f);
        check(t && t->name == kName && (f.type == 'C' || t->kind == 'P'));
        break;
      }
      case 'Q':  // COMMIT: only the guard made for the client's Sync (commit_at_sync)
        check(parse_query(f) == std::string_view("ROLLBACK") ||
              (at_sync && parse_query(f) == std::string_view("COMMIT")));
        break;
      case 'S':
      case 'H':
        check(f.body.empty());
        break;
      default:
        check(false);
    }
  }
  return fs;
}

bool quotes_internal_names(std::string_view bytes) {
  for (std::string_view n : {kName, kSavepoint, kMarker}) {
    if (bytes.find(n) != std::string_view::npos) return true;
  }
  return false;
}

// What one on_frame call passed to the client.
void check_client(std::string_view out, std::string_view fed, const RowGuard& g,
                  const std::set<std::string, std::less<>>& sent) {
  if (g.passed_ready()) {
    check(out == fed && !fed.empty() && fed[0] == 'Z' && g.state() == State::Done);
  }
  for (const auto& [f, raw] : whole(out)) {
    if (sent.contains(raw)) continue;
    const auto e = parse_error(f);
    check(f.type == 'E' && e && e->severity == "ERROR" && !e->message.empty());
    check(!quotes_internal_names(raw));
  }
}

// FUZZ_TRACE=1 prints each exchange of the model run (to triage a crash input).
const bool kTrace = std::getenv("FUZZ_TRACE") != nullptr;
std::string types(std::string_view bytes) {
  std::string out;
  for (const auto& [f, raw] : whole(bytes)) out.push_back(f.type ? f.type : '0');
  return out;
}

Error deny() { return Error::make(sqlstate::kInsufficientPrivilege, std::string(kDeny)); }

void check_rows(const RowGuard& g) {
  std::uint64_t sum = 0;
  bool wrapped = false;
  for (const auto& [table, n] : g.rows().tables) {
    check(n > 0);
    wrapped = wrapped || __builtin_add_overflow(sum, n, &sum);
  }
  if (!wrapped) check(g.rows().total >= sum);
}

// --- Chaos -----------------------------------------------------------------------------

std::string chaos_frame(Bytes& b) {
  static const char* const kTags[] = {"UPDATE", "INSERT 0", "DELETE", "MERGE",
                                      "COPY",   "SELECT",   "BEGIN",  "COMMIT"};
  switch (b.front() % 16) {
    case 0:
      return msg('1');
    case 1:
      return msg('2');
    case 2:
      return msg('3');
    case 3:
      return msg('n');
    case 4:
      return msg('I');
    case 5:
      return msg('s');
    case 6:
      return param_description();
    case 7:
      return row_description();
    case 8: {  // a count row, sometimes a bad one
      const std::uint8_t t = b.front();
      const std::string n = t & 0x80 ? std::string(b.take(3)) : std::to_string(b.front());
      return data_row(t % 4 == 3 ? "" : kTables[t % 4], n);
    }
    case 9: {
      const std::uint8_t t = b.front();
      std::string s = kTags[t % 8];
      if (t & 0x80) s += " " + std::to_string(b.front() * 256 + b.front());
      return tag(s);
    }
    case 10: {  // sometimes quoting Airlock's names, as PostgreSQL's errors do
      const std::uint8_t q = b.front();
      std::string text(b.take(q % 8));
      if (q & 0x10) text += " \"" + std::string(kName) + "\"";
      if (q & 0x20) text += " \"" + std::string(kSavepoint) + "\"";
      if (q & 0x40) text += " \"" + std::string(kMarker) + "\"";
      return error("XX000", text.append("x"));
    }
    case 11:
      return b.front() & 1 ? notice("n", "25001") : notice("n");
    case 12:
      return ready("ITEX"[b.front() % 4]);
    case 13: {
      std::string out;
      MessageBuilder(out).begin('A').i32(7).cstring("chan").cstring("payload").end();
      return out;
    }
    case 14: {  // any type, any body
      const char type = static_cast<char>(b.front());
      return msg(type, b.take(b.front() % 32));
    }
    default:
      return msg('D', b.take(b.front() % 32));
  }
}

void run_chaos(Bytes& b, RowGuard& g, bool simple) {
  std::set<std::string, std::less<>> sent;
  std::string up;
  g.start(up);
  check_upstream(up);
  int undos = 0;
  while (!b.in.empty()) {
    up.clear();
    switch (g.state()) {
      case State::Running: {
        const std::string frame = chaos_frame(b);
        const Frames fs = whole(frame);
        check(fs.size() == 1);
        sent.insert(frame);
        std::string to_client;
        g.on_frame(fs[0].first, frame, to_client, up);
        check_client(to_client, frame, g, sent);
        break;
      }
      case State::Decide: {
        check_rows(g);
        const std::uint8_t d = b.back() % 3;
        if (d == 2 && undos < 4) {
          ++undos;
          g.undo_for_retry(up);
        } else if (d == 1) {
          g.roll_back(up, deny(), "hint");
        } else {
          g.commit(up);
        }
        break;
      }
      case State::Undone:
        if (b.back() % 2)
          g.run_again(up);
        else
          g.roll_back(up, deny(), {});
        break;
      case State::AwaitClientSync:
        check(!simple);
        append_sync(up);
        g.after_client_sync(up);
        break;
      case State::Done:
        return;
    }
    check_upstream(up);
  }
}

// --- Model ---------------------------------------------------------------------------

// One guard, driven to Done or AwaitClientSync as the session drives it. `client` gets what
// the guard relays; `errors_seen` counts its ErrorResponses.
struct Batch {
  std::string client;
  std::set<std::string, std::less<>> sent;
  bool refused = false;
  int undos = 0;
};

State drive(Bytes& b, RowGuard& g, Model& m, Batch& batch, bool at_sync) {
  for (int steps = 0;; ++steps) {
    check(steps < 100000);
    std::string up;
    const State st = g.state();
    if (st == State::Running) {
      check(!m.out.empty());  // otherwise the guard would wait for ever
      const std::string frame = std::move(m.out.front());
      m.out.pop_front();
      batch.sent.insert(frame);
      std::string to_client;
      g.on_frame(whole(frame)[0].first, frame, to_client, up);
      check_client(to_client, frame, g, batch.sent);
      if (kTrace) {
        std::fprintf(stderr, "server %c -> client '%s' up '%s' state %d\n", frame[0],
                     types(to_client).c_str(), types(up).c_str(), static_cast<int>(g.state()));
      }
      batch.client += to_client;
    } else {
      if (kTrace)
        std::fprintf(stderr, "state %d, %zu answers due\n", static_cast<int>(st), m.out.size());
      check(m.out.empty());  // decided or finished with answers still to come
      if (st == State::Done || st == State::AwaitClientSync) {
        if (st == State::Done) check(!m.holds_guard_names());  // Airlock's names are free
        return st;
      }
      check(!at_sync);  // commit_at_sync() decides nothing
      if (st == State::Decide) {
        check(g.rows().tables == m.deltas);
        std::uint64_t sum = 0;
        for (const auto& [t, n] : m.deltas) sum += n;
        check(g.rows().total == std::max(sum, m.tag_rows));
        const std::uint8_t d = b.front() % 3;
        if (d == 2 && batch.undos < 3) {
          ++batch.undos;
          g.undo_for_retry(up);
        } else if (d == 1) {
          batch.refused = true;
          g.roll_back(up, deny(), "hint");
        } else {
          g.commit(up);
        }
      } else {  // Undone
        if (b.front() % 2) {
          g.run_again(up);
        } else {
          batch.refused = true;
          g.roll_back(up, deny(), {});
        }
      }
    }
    check_upstream(up, at_sync);
    m.read(up);
  }
}

void run_model(Bytes& b, Model& m, const RowGuard::Options& base, const RowGuard::Statement& stmt,
               int writes) {
  const bool simple = stmt.simple;
  const bool in_transaction = base.in_transaction;
  const int prefix = base.prefix_responses;
  // The client's messages before its Execute (Parse, Describe, Bind...) were answered first.
  for (int i = 0; i < prefix; ++i) {
    if (m.fails()) {
      m.fail("42P01", "relation does not exist");
      break;
    }
    switch (b.front() % 4) {
      case 0:
        m.answer(msg('1'));
        break;
      case 1:
        m.answer(msg('2'));
        break;
      case 2:
        m.answer(param_description());
        m.answer(msg('n'));
        break;
      default:
        m.answer(row_description());
        break;
    }
  }
  Batch batch;
  bool commit_at_sync = false;  // the session's flag: Airlock's block is open in this batch
  bool synced = false;          // a guard waited for the client's Sync (it failed)
  int kept_tags = 0;
  int errors_before_sync = 0;
  bool any_committed = false;
  for (int w = 0; w < (simple ? 1 : writes); ++w) {
    RowGuard::Options opt = base;
    if (w > 0) opt.prefix_responses = 0;
    opt.block_is_ours = commit_at_sync;
    RowGuard g(std::move(opt), stmt);
    m.next_guard();
    std::string up;
    g.start(up);
    check_upstream(up);
    m.read(up);
    const State st = drive(b, g, m, batch, false);
    check(g.committed() == m.committed);
    if (g.committed()) {
      any_committed = true;
      if (!stmt.sql.empty()) ++kept_tags;
    }
    if (st == State::AwaitClientSync) {
      check(!simple);
      for (const auto& [f, raw] : whole(batch.client)) errors_before_sync += f.type == 'E';
      check(errors_before_sync > 0);  // only a failure waits for the client's Sync
      // The batch failed: the session forwards later guarded writes as they are (the server
      // skips them). The client's Sync, then the guard's cleanup.
      synced = true;
      up.clear();
      append_sync(up);
      g.after_client_sync(up);
      check_upstream(up);
      m.read(up);
      check(drive(b, g, m, batch, false) == State::Done);
      check(!g.opens_block());  // what the failure left of Airlock's block is rolled back
      commit_at_sync = false;
      break;
    }
    if (!simple) {
      for (const auto& [f, raw] : whole(batch.client)) check(f.type != 'E' && f.type != 'Z');
    }
    if (g.opens_block()) commit_at_sync = true;
  }
  if (!simple && !synced) {
    std::string sync;
    append_sync(sync);  // the client's own Sync, answered through the session
    if (commit_at_sync) {
      // Airlock's block: COMMIT after the Sync; its ReadyForQuery is the client's.
      RowGuard g(RowGuard::Options{}, RowGuard::Statement{{}, {}, {}, false});
      g.commit_at_sync(sync);
      check_upstream(sync, true);
      m.read(sync);
      check(drive(b, g, m, batch, true) == State::Done);
      check(!g.committed() && !g.opens_block());
    } else {
      m.read(sync);
      for (auto& a : m.out) batch.client += a;
      m.out.clear();
    }
  }
  const std::string& client = batch.client;
  const Frames fs = whole(client);
  check(!fs.empty() && fs.back().first.type == 'Z');
  int readies = 0, errors = 0, tags = 0;
  for (const auto& [f, raw] : fs) {
    readies += f.type == 'Z';
    errors += f.type == 'E';
    tags += f.type == 'C';
  }
  check(readies == 1 && errors <= (m.rollback_cancelled ? 2 : 1));
  check(!quotes_internal_names(client));
  check(client.find("already a transaction") == std::string::npos);  // BEGIN's 25001: Airlock's
  check(tags == kept_tags);
  if (batch.refused) check(errors >= 1);
  // The batch is over. The client's view of the transaction is the server's.
  check(parse_ready_for_query(fs.back().first) == m.status);
  // No block opened by Airlock is left open unless the client had one (or a cancel hit the
  // guard's ROLLBACK, and the client is told: 'E'); the client's own block is never ended.
  check(in_transaction ? m.status != 'I' : m.status == 'I' || m.rollback_cancelled);
  // Nothing the guard did not keep was committed; in autocommit, a kept write was committed
  // unless the client was told of an error.
  check(!m.durable || any_committed);
  if (!in_transaction && any_committed && errors == 0) check(m.durable);
  if (in_transaction) check(!m.durable);  // the client's block is for the client to commit
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes b{std::string_view(reinterpret_cast<const char*>(data), size)};
  const std::uint8_t flags = b.front();
  const bool simple = flags & 1;
  const bool in_transaction = flags & 2;
  const bool model = flags & 4;
  const int prefix = simple && model ? 0 : (flags >> 3) & 3;
  const bool block_is_ours = !simple && !model && (flags & 32);  // chaos: an earlier write's
  const int writes = 1 + (flags >> 6) % 3;  // model, Execute: guarded writes in the batch
  // A statement with declared parameter types (well-formed: the session took them from a
  // Parse that decoded) and the client's Bind values.
  const std::uint8_t shape = b.front();
  std::string sql = shape % 8 == 7 ? "" : std::string(kSql);
  std::string types;
  if (!simple && shape & 8) {
    append_be16(types, 1);  // one declared type: int4
    append_be32(types, 23);
  }
  const std::string rest = simple ? "" : std::string(b.take(shape >> 5));
  const RowGuard::Options opt{.in_transaction = in_transaction,
                              .prefix_responses = prefix,
                              .name = std::string(kName),
                              .savepoint = std::string(kSavepoint),
                              .marker = std::string(kMarker),
                              .block_is_ours = block_is_ours};
  const RowGuard::Statement stmt{
      .sql = sql, .param_types = types, .bind_rest = rest, .simple = simple};
  if (model) {
    Model m(b, in_transaction, sql, (shape & 16) != 0);
    run_model(b, m, opt, stmt, writes);
  } else {
    RowGuard g(opt, stmt);
    run_chaos(b, g, simple);
  }
  return 0;
}
