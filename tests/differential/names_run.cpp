#include "names_run.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"
#include "protocol/rows.hpp"

namespace airlock::differential {
namespace {

using protocol::NameState;
using Ns = NameState::Ns;
using Effect = NameState::Effect;

// The gateway's denial: a Parse under a reserved name of a text that can never parse.
constexpr std::string_view kReserved = "airlock_x";

std::string show(std::string_view name) { return name.empty() ? "_" : std::string(name); }

}  // namespace

std::string describe_slot(const NameState::Slot& s) {
  switch (s.state) {
    case NameState::State::Absent:
      return "Absent";
    case NameState::State::Uncertain:
      return "Uncertain";
    case NameState::State::Known:
      break;
  }
  return "Known #" + std::to_string(static_cast<const Judged*>(s.value.get())->id);
}

namespace {

std::size_t kind_index(OpKind k) { return static_cast<std::size_t>(k); }

// What a Parse text is judged to run: its SQL, the only row it returns, its tags.
void judge_text(Text t, Judged& j) {
  const std::string id = std::to_string(j.id);
  switch (t) {
    case Text::Sel:
      j.text = "SELECT " + id;
      j.row = id;
      j.tags = {"SELECT"};
      return;
    case Text::Fail:
      // One row, then an error at execution (random() keeps 1/0 from being folded).
      j.text = "SELECT " + id + " UNION ALL SELECT 1/(random()*0)::int";
      j.row = id;
      return;
    case Text::Div:
      j.text = "SELECT 1/0";
      return;  // folded while planning: Bind fails
    case Text::Err:
      j.text = "SELEC x";
      return;
    case Text::Savepoint:
      j.text = "SAVEPOINT s1";
      j.tags = {"SAVEPOINT"};
      return;
    case Text::RollbackTo:
      j.text = "ROLLBACK TO s1";
      j.tags = {"ROLLBACK"};
      return;
    case Text::Begin:
      j.text = "BEGIN";
      j.tags = {"BEGIN"};
      return;
    case Text::Commit:
      j.text = "COMMIT";
      j.tags = {"COMMIT", "ROLLBACK"};  // ROLLBACK in a failed transaction
      return;
  }
}

}  // namespace

std::shared_ptr<Judged> Run::fresh() {
  auto j = std::make_shared<Judged>();
  j->id = ++next_id_;
  keep_.push_back(j);
  return j;
}

std::shared_ptr<const Judged> Run::judged_of(Ns ns, const std::string& name) {
  const auto slot = model_.lookup(ns, name);
  if (slot.state != NameState::State::Known) return nullptr;
  return std::static_pointer_cast<const Judged>(slot.value);
}

void Run::violation(std::string what) {
  if (!out_.ok) return;
  out_.ok = false;
  out_.what = std::move(what);
}

void Run::harness(std::string what) {
  if (!out_.ok) return;
  out_.ok = false;
  out_.harness_error = true;
  out_.what = "harness: " + std::move(what);
}

Outcome Run::run(std::vector<Op>& ops, Rng* gen, std::size_t max_ops) {
  ++counts_.sequences;
  if (!conn_.open(target_.dir, target_.port, target_.user, target_.db)) {
    harness(conn_.error());
    return out_;
  }
  if (gen != nullptr) {
    const std::size_t n =
        1 + gen->below(static_cast<std::uint32_t>(std::max<std::size_t>(max_ops, 1)));
    for (std::size_t i = 0; i < n && out_.ok; ++i) {
      ops.push_back(generate_op(*gen, model_, ops.empty() ? nullptr : &ops.back(), batch_open_,
                                syncs_due_, opt_.basic));
      apply(ops.back(), i);
    }
  } else {
    for (std::size_t i = 0; i < ops.size() && out_.ok; ++i) apply(ops[i], i);
  }
  if (out_.ok && batch_open_) {
    lines_.push_back("S (end)");
    send_sync(lines_.size() - 1);
  }
  if (out_.ok) drain();
  if (out_.ok) check_state();
  if (out_.ok) check_unnamed();
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    out_.trace += "  " + std::to_string(i) + "\t" + lines_[i] + "\n";
  }
  conn_.close();
  return out_;
}

void Run::apply(const Op& op, std::size_t index) {
  lines_.push_back(format_op(op));
  std::string& line = lines_.back();
  std::string bytes;
  switch (op.kind) {
    case OpKind::Parse: {
      auto j = fresh();
      const std::string id = std::to_string(j->id);
      judge_text(op.text, *j);
      j->may_suspend = !j->row.empty();
      line += "  #" + id + " '" + j->text + "'";
      protocol::append_parse(bytes, op.name, j->text);
      model_.parse(op.name, j);
      send_extended('P', bytes, index);
      ++counts_.sent[kind_index(op.kind)];
      return;
    }
    case OpKind::Bind: {
      const auto slot = model_.lookup(Ns::Statement, op.stmt);
      line += "  [" + show(op.stmt) + ": " + describe_slot(slot) + "]";
      if (slot.state == NameState::State::Known) {
        protocol::append_bind(bytes, op.name, op.stmt);
        model_.bind(op.name, slot.value);
        send_extended('B', bytes, index);
        ++counts_.sent[kind_index(op.kind)];
      } else {
        line += " REPLACED";
        model_.bind(op.name, nullptr);
        send_replacement(index);
        ++counts_.replaced[kind_index(op.kind)];
      }
      return;
    }
    case OpKind::Execute: {
      const auto slot = model_.lookup(Ns::Portal, op.name);
      line += "  [" + show(op.name) + ": " + describe_slot(slot) + "]";
      const auto j = judged_of(Ns::Portal, op.name);
      if (j && !j->cursor) {
        protocol::append_execute(bytes, op.name, op.max_rows);
        model_.execute({});
        send_extended('E', bytes, index, j);
        ++counts_.sent[kind_index(op.kind)];
      } else {
        line += " REPLACED";
        model_.execute({});
        send_replacement(index);
        ++counts_.replaced[kind_index(op.kind)];
      }
      return;
    }
    case OpKind::Describe:
    case OpKind::Close: {
      const bool close = op.kind == OpKind::Close;
      if (close) {
        protocol::append_close(bytes, op.target, op.name);
        model_.close(op.target == 'S' ? Ns::Statement : Ns::Portal, op.name);
      } else {
        protocol::append_describe(bytes, op.target, op.name);
        model_.describe();
      }
      send_extended(close ? 'C' : 'D', bytes, index);
      ++counts_.sent[kind_index(op.kind)];
      return;
    }
    case OpKind::Flush:
      ++counts_.sent[kind_index(op.kind)];
      drain();
      return;
    case OpKind::Sync:
      ++counts_.sent[kind_index(op.kind)];
      send_sync(index);
      return;
    case OpKind::Query:
      if (batch_open_) {
        line += "  (Sync first)";
        send_sync(index);
      }
      send_query(op, index);
      return;
    case OpKind::Drain:
      drain();
      return;
  }
}

void Run::send_extended(char type, const std::string& bytes, std::size_t index,
                        std::shared_ptr<const Judged> judged) {
  if (!conn_.send(bytes)) return harness(conn_.error());
  batch_open_ = unflushed_ = true;
  // After an error the server answers nothing up to the next Sync.
  if (!skipping_) expect_.push_back({type, std::move(judged), index});
}

void Run::send_replacement(std::size_t index) {
  std::string bytes;
  protocol::append_parse(bytes, kReserved, kReserved);
  send_extended('P', bytes, index);
}

void Run::send_sync(std::size_t index) {
  std::string bytes;
  protocol::append_sync(bytes);
  model_.sync();
  if (!conn_.send(bytes)) return harness(conn_.error());
  expect_.push_back({'S', nullptr, index});
  skipping_ = batch_open_ = unflushed_ = false;
  ++syncs_due_;
}

void Run::send_query(const Op& op, std::size_t index) {
  std::vector<Effect> fx;
  std::shared_ptr<const Judged> runs;
  std::string sql;
  const std::string& n = op.name;
  auto named = [&](std::string_view prefix) {
    auto j = fresh();
    sql = std::string(prefix) + std::to_string(j->id);
    j->text = sql;
    return j;
  };
  switch (op.sql) {
    case Sql::Prepare: {
      auto j = named("PREPARE " + n + " AS SELECT ");
      j->row = std::to_string(j->id);
      j->tags = {"SELECT"};
      j->may_suspend = j->sql_prepared = true;
      fx.push_back({Effect::Kind::Set, Ns::Statement, n, j, 0});
      break;
    }
    case Sql::Dealloc:
      sql = "DEALLOCATE " + n;
      fx.push_back({Effect::Kind::Drop, Ns::Statement, n, nullptr, 0});
      break;
    case Sql::DeallocAll:
      sql = "DEALLOCATE ALL";
      fx.push_back({Effect::Kind::DropAll, Ns::Statement, "", nullptr, 0});
      break;
    case Sql::Exec: {
      const auto j = judged_of(Ns::Statement, n);
      lines_[index] += "  [" + n + ": " + describe_slot(model_.lookup(Ns::Statement, n)) + "]";
      if (j && j->sql_prepared) {
        sql = "EXECUTE " + n;
        runs = j;
        ++counts_.exec_sent;
      } else {
        lines_[index] += " REPLACED";
        sql = kReserved;
        ++counts_.exec_replaced;
      }
      break;
    }
    case Sql::Begin:
      sql = "BEGIN";
      break;
    case Sql::Commit:
    case Sql::Rollback:
      sql = op.sql == Sql::Commit ? "COMMIT" : "ROLLBACK";
      // As the gateway: portals made by Bind end with the transaction; cursors WITH HOLD
      // (and unknown portals, which may be one) do not.
      fx.push_back({Effect::Kind::DropTransient, Ns::Portal, "", nullptr, 0});
      break;
    case Sql::Savepoint:
      sql = "SAVEPOINT s1";
      break;
    case Sql::RollbackTo:
      sql = "ROLLBACK TO s1";
      break;
    case Sql::Div:
      sql = "SELECT 1/0";
      break;
    case Sql::Discard:
      sql = "DISCARD ALL";
      fx.push_back({Effect::Kind::DropAll, Ns::Statement, "", nullptr, 0});
      fx.push_back({Effect::Kind::DropAll, Ns::Portal, "", nullptr, 0});
      break;
    case Sql::Declare: {
      auto j = named("DECLARE " + n + " CURSOR WITH HOLD FOR SELECT ");
      j->cursor = true;
      fx.push_back({Effect::Kind::Set, Ns::Portal, n, j, 0});
      break;
    }
    case Sql::CloseCursor:
      sql = "CLOSE " + n;
      fx.push_back({Effect::Kind::Drop, Ns::Portal, n, nullptr, 0});
      break;
    case Sql::Empty:
      sql = "";
      break;
    case Sql::Err:
      sql = "SELEC x";
      break;
  }
  if (op.sql != Sql::Exec || runs) lines_[index] += "  '" + sql + "'";
  std::string bytes;
  protocol::append_query(bytes, sql);
  model_.query(std::move(fx));
  ++counts_.queries;
  if (!conn_.send(bytes)) return harness(conn_.error());
  expect_.push_back({'Q', std::move(runs), index});
  ++syncs_due_;
}

}  // namespace airlock::differential
