// The answers: each is fed to the model, matched to the message it answers, and checked
// against what the model said the name held when the message was sent.
#include <algorithm>
#include <map>
#include <utility>

#include "names_run.hpp"
#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"
#include "protocol/rows.hpp"

namespace airlock::differential {
namespace {

using protocol::NameState;
using Ns = NameState::Ns;

// The end-of-run catalog read: a reserved name, like the gateway's own.
constexpr std::string_view kCheck = "airlock_check";

}  // namespace

void Run::drain() {
  if (unflushed_) {
    std::string bytes;
    protocol::append_flush(bytes);
    if (!conn_.send(bytes)) return harness(conn_.error());
    unflushed_ = false;
  }
  if (syncs_due_ > 1) ++counts_.pipelined_syncs;
  while (out_.ok && !expect_.empty()) read_one();
  syncs_due_ = 0;
}

void Run::read_one() {
  protocol::Frame f;
  if (!conn_.next(f)) return harness(conn_.error());
  char status = 0;
  if (f.type == 'Z') status = protocol::parse_ready_for_query(f).value_or('?');
  if (!model_.answer(f.type, status)) {
    violation(std::string("lost: the model cannot place answer '") + f.type + "'");
  }
  if (f.type == 'N' || f.type == 'S' || f.type == 'A') return;  // answer no message
  if (expect_.empty()) return harness(std::string("answer '") + f.type + "' with nothing due");
  Expect& head = expect_.front();
  std::string& line = lines_[head.op];
  line += line.find(" <-") == std::string::npos ? "  <- " : " ";
  line += f.type;
  auto pop_if = [&](char want) {
    if (head.type != want) {
      return harness(std::string("answer '") + f.type + "' while '" + head.type + "' is due");
    }
    expect_.pop_front();
  };
  switch (f.type) {
    case 'E': {
      ++counts_.server_errors;
      const auto e = protocol::parse_error(f);
      line += "(" + std::string(e ? e->sqlstate : "?") + ")";
      if (head.type == 'Q' || head.type == 'S') return;  // a Query's, or a Sync's commit
      // An extended message failed: the server skips the rest of the batch.
      expect_.pop_front();
      while (!expect_.empty() && expect_.front().type != 'S') expect_.pop_front();
      skipping_ = expect_.empty();
      return;
    }
    case '1':
      return pop_if('P');
    case '2':
      return pop_if('B');
    case '3':
      return pop_if('C');
    case 't':
      return head.type == 'D' ? void() : pop_if('D');
    case 'n':
      return pop_if('D');
    case 'T':
      if (head.type == 'Q') return;
      return pop_if('D');
    case 'D':
      if (head.type != 'E' && head.type != 'Q') return pop_if('E');
      return check_run(head, f);
    case 'C':
    case 's':
    case 'I':
      if (head.type == 'Q') return check_run(head, f);
      check_run(head, f);
      return pop_if('E');
    case 'Z':
      line += "(" + std::string(1, status) + ")";
      status_ = status;
      if (head.type == 'Q') return expect_.pop_front();
      return pop_if('S');
    default:
      return harness(std::string("unexpected message '") + f.type + "'");
  }
}

void Run::check_run(const Expect& e, const protocol::Frame& f) {
  const Judged* j = e.judged.get();
  if (j == nullptr) return;  // a Query that runs no name
  const std::string said = "#" + std::to_string(j->id) + " '" + j->text + "'";
  if (f.type == 'D') {
    ++counts_.rows_checked;
    const auto row = protocol::parse_data_row(f);
    const bool same =
        row && row->size() == 1 && (*row)[0] && !j->row.empty() && *(*row)[0] == j->row;
    std::string got = row && row->size() == 1 && (*row)[0] ? std::string(*(*row)[0]) : "?";
    lines_[e.op] += "(" + got + ")";
    if (!same) violation("run: the server returned row " + got + " where the model said " + said);
    return;
  }
  if (f.type == 'C') {
    ++counts_.tags_checked;
    const std::string tag(protocol::parse_command_complete(f).value_or("?"));
    lines_[e.op] += "(" + tag + ")";
    const std::string word = tag.substr(0, tag.find(' '));
    if (std::find(j->tags.begin(), j->tags.end(), word) == j->tags.end()) {
      violation("run: the server completed '" + tag + "' where the model said " + said);
    }
    return;
  }
  if (f.type == 's' && !j->may_suspend)
    violation("run: a portal suspended where the model said " + said);
  // EmptyQueryResponse runs nothing. PostgreSQL answers it for a portal left empty by a Bind
  // that failed after creating it (e.g. 1/0 folded while planning): the Bind's error says the
  // portal was not made, yet a named one now exists and an unnamed one was replaced.
  if (f.type == 'I') ++counts_.empty_runs;
}

// After the last answer: every name the model calls Absent or Known(x) holds nothing or x.
// pg_cursors lists named portals made by Bind (with their statement's text) and cursors;
// pg_prepared_statements the named statements. Read with the extended protocol under
// reserved names, which leaves the unnamed statement and portal alone for check_unnamed.
void Run::check_state() {
  if (status_ == 'E' || model_.lost()) return;  // a failed transaction cannot read catalogs
  std::string bytes;
  protocol::append_parse(bytes, kCheck,
                         "SELECT 'S' || name, statement FROM pg_prepared_statements "
                         "UNION ALL SELECT 'P' || name, statement FROM pg_cursors "
                         "WHERE name NOT LIKE 'airlock%'");
  protocol::append_bind(bytes, kCheck, kCheck);
  protocol::append_execute(bytes, kCheck);
  protocol::append_close(bytes, 'P', kCheck);
  protocol::append_close(bytes, 'S', kCheck);
  protocol::append_sync(bytes);
  if (!conn_.send(bytes)) return harness(conn_.error());
  std::map<std::string, std::string> held;
  protocol::Frame f;
  for (;;) {
    if (!conn_.next(f)) return harness(conn_.error());
    if (f.type == 'E') return harness("the state query failed");
    if (f.type == 'Z') break;
    if (f.type != 'D') continue;
    const auto row = protocol::parse_data_row(f);
    if (!row || row->size() != 2 || !(*row)[0]) return harness("bad state row");
    // A portal left empty by a failed Bind has no text: it runs nothing.
    if ((*row)[1]) held.emplace(std::string(*(*row)[0]), std::string(*(*row)[1]));
  }
  ++counts_.state_checks;
  const std::pair<Ns, std::vector<std::string>> spaces[] = {{Ns::Statement, {"a", "b"}},
                                                            {Ns::Portal, {"p", "q"}}};
  for (const auto& [ns, names] : spaces) {
    for (const auto& n : names) {
      const std::string key = (ns == Ns::Statement ? "S" : "P") + n;
      const auto it = held.find(key);
      const auto slot = model_.lookup(ns, n);
      if (it == held.end() || slot.state == NameState::State::Uncertain) continue;
      const auto* j = static_cast<const Judged*>(slot.value.get());
      const bool same = slot.state == NameState::State::Known && it->second == j->text;
      if (!same) {
        violation(std::string("state: the model says ") + describe_slot(slot) + " for " +
                  (ns == Ns::Statement ? "statement " : "portal ") + n + ", the server holds '" +
                  it->second + "'");
      }
    }
  }
}

// The unnamed portal and statement are in no catalog: Execute "" and Describe S "" tell.
// An Absent portal must run nothing, an Absent statement answer 26000; what a Known portal
// runs is checked as any allowed Execute. Not in a failed transaction: there the unnamed
// portal may be the one a failed simple Query left, and PostgreSQL 15.20 reads its freed
// plan list when it is executed (a backend crash: the whole server restarts).
void Run::check_unnamed() {
  if (status_ == 'E' || model_.lost()) return;
  const auto portal = model_.lookup(Ns::Portal, "");
  const auto statement = model_.lookup(Ns::Statement, "");
  std::string bytes;
  protocol::append_execute(bytes, "");
  protocol::append_sync(bytes);
  protocol::append_describe(bytes, 'S', "");
  protocol::append_sync(bytes);
  if (!conn_.send(bytes)) return harness(conn_.error());
  lines_.push_back("(end) E _ 0  [_: " + describe_slot(portal) +
                   "]; S; D S _  [_: " + describe_slot(statement) + "]; S");
  Expect run{'E', nullptr, lines_.size() - 1};
  if (portal.state == NameState::State::Known) {
    run.judged = std::static_pointer_cast<const Judged>(portal.value);
  }
  std::string answers[2];
  bool ran = false;
  protocol::Frame f;
  for (int phase = 0; phase < 2;) {
    if (!conn_.next(f)) return harness(conn_.error());
    lines_.back() += std::string(" ") + f.type;
    if (f.type == 'Z') {
      ++phase;
      continue;
    }
    if (f.type == 'E') {
      const auto e = protocol::parse_error(f);
      answers[phase] += "E" + std::string(e ? e->sqlstate : "?");
      lines_.back() += "(" + std::string(e ? e->sqlstate : "?") + ")";
      continue;
    }
    answers[phase] += f.type;
    ran |= phase == 0 && (f.type == 'D' || f.type == 'C' || f.type == 's');
    if (phase == 0 && run.judged) check_run(run, f);
  }
  ++counts_.state_checks;
  if (portal.state == NameState::State::Absent && ran) {
    violation("state: the model says Absent for portal _, the server answered Execute with " +
              answers[0]);
  }
  if (statement.state == NameState::State::Absent && answers[1] != "E26000") {
    violation("state: the model says Absent for statement _, the server answered Describe with " +
              answers[1]);
  }
}

std::vector<Op> minimize(std::vector<Op> ops, const Target& t, const Options& opt, int max_trials) {
  Counts scratch;
  std::string category;
  auto fails = [&](std::vector<Op> candidate) {
    Run r(t, opt, scratch);
    const Outcome o = r.run(candidate);
    if (o.ok || o.harness_error) return false;
    const std::string c = o.what.substr(0, o.what.find(':'));
    if (category.empty()) category = c;
    return c == category;
  };
  if (!fails(ops)) return ops;  // not reproducible by replay: keep it whole
  int trials = 0;
  for (std::size_t chunk = std::max<std::size_t>(ops.size() / 2, 1);; chunk /= 2) {
    for (bool progress = true; progress && trials < max_trials;) {
      progress = false;
      for (std::size_t i = 0; i + chunk <= ops.size() && trials < max_trials; ++trials) {
        auto c = ops;
        c.erase(c.begin() + static_cast<std::ptrdiff_t>(i),
                c.begin() + static_cast<std::ptrdiff_t>(i + chunk));
        if (fails(c)) {
          ops = std::move(c);
          progress = true;
        } else {
          i += chunk;
        }
      }
    }
    if (chunk == 1) break;
  }
  return ops;
}

}  // namespace airlock::differential
