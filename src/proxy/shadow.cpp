#include "proxy/shadow.hpp"

#include "protocol/backend.hpp"
#include "protocol/builder.hpp"
#include "protocol/frontend.hpp"
#include "sql/facts.hpp"

namespace airlock::proxy {
namespace {

using sql::TransactionOp;

constexpr const char* kNoActiveTransaction = "25P01";  // no_active_sql_transaction

std::string frame_sql(std::string_view verb) {
  return std::string(verb) + " SAVEPOINT " + std::string(Shadow::kFrame);
}

Verdict refusal(const char* code, std::string message, std::string hint = {}) {
  return Verdict::deny(Error::make(code, std::move(message)), std::move(hint));
}

}  // namespace

ShadowClass classify_for_shadow(const sql::Analysis& analysis) {
  ShadowClass c;
  const auto refuse = [&c](std::string why, std::string hint) {
    c.refusal = "airlock: " + why + " in shadow mode [gateway.shadow]";
    c.hint = std::move(hint);
    return c;
  };
  bool control = false;
  for (const auto& s : analysis.statements) {
    for (const auto& set : s.settings) {
      if (set.scope == sql::SettingScope::Transaction ||
          set.scope == sql::SettingScope::SessionCharacteristics ||
          set.name.starts_with("transaction_")) {
        return refuse("SET TRANSACTION and SET SESSION CHARACTERISTICS cannot be emulated",
                      "Leave the transaction characteristics at their defaults.");
      }
    }
    if (s.kind == sql::StatementKind::Lock && c.tx == TxControl::None) {
      c.tx = TxControl::NeedsBlock;
      c.command = "LOCK TABLE";
    }
    if (!s.transaction) continue;
    const sql::TransactionInfo& t = *s.transaction;
    switch (t.op) {
      case TransactionOp::Begin:
      case TransactionOp::Start:
        // The session's one upstream transaction is READ COMMITTED and read-write.
        if (t.read_only.value_or(false) ||
            (!t.isolation.empty() && t.isolation != "read committed")) {
          return refuse("a transaction's isolation level or READ ONLY cannot be emulated",
                        "Use a plain BEGIN.");
        }
        control = true;
        c.tx = TxControl::Begin;
        break;
      case TransactionOp::Commit:
      case TransactionOp::Rollback:
        if (t.chain) return refuse("AND CHAIN cannot be emulated", "COMMIT, then BEGIN.");
        control = true;
        c.tx = t.op == TransactionOp::Commit ? TxControl::Commit : TxControl::Rollback;
        break;
      case TransactionOp::Savepoint:
      case TransactionOp::Release:
      case TransactionOp::RollbackTo:
        if (t.name.starts_with("airlock_")) {
          return refuse("savepoint names starting with airlock_ are reserved",
                        "Choose another savepoint name.");
        }
        if (c.tx == TxControl::None) {
          c.tx = TxControl::NeedsBlock;
          c.command = t.op == TransactionOp::Savepoint ? "SAVEPOINT"
                      : t.op == TransactionOp::Release ? "RELEASE SAVEPOINT"
                                                       : "ROLLBACK TO SAVEPOINT";
        }
        break;
      case TransactionOp::PrepareTransaction:
      case TransactionOp::CommitPrepared:
      case TransactionOp::RollbackPrepared:
        return refuse("two-phase commit cannot be emulated", {});
    }
  }
  if (control && analysis.statements.size() != 1) {
    return refuse("BEGIN, COMMIT and ROLLBACK must be sent as a statement of their own, not "
                  "with others in one query string,",
                  "Send each statement separately.");
  }
  return c;
}

void Shadow::begin_batch(std::string& up) {
  std::string sql;
  if (frame_ == Block::Implicit) {
    // The last batch ran in autocommit: keep what it did, or undo it if it failed.
    if (upstream_status_ != 'T') sql += frame_sql("ROLLBACK TO") + "; ";
    sql += frame_sql("RELEASE") + "; ";
    frame_ = Block::None;
  }
  if (frame_ == Block::None) {
    sql += std::string("SAVEPOINT ") + std::string(kFrame);
    frame_ = Block::Implicit;
  }
  if (!sql.empty()) {
    protocol::append_query(up, sql);
    ++fixups_pending_;
    upstream_status_ = 'T';
  }
  view_explicit_ = frame_ == Block::Explicit;
  view_status_ = upstream_status_;
  batch_executes_ = 0;
}

// PostgreSQL's answers, emulated in the frame (the frame is fresh when the agent is outside
// a block: this batch's fix-up opened it and the statement is the batch's first).
Shadow::Plan Shadow::plan(TxControl op) const {
  switch (op) {
    case TxControl::Begin:
      if (view_explicit_) return {};  // WARNING: there is already a transaction in progress
      return {Rewrite::RollbackTo, "BEGIN", false, Transition::Open};
    case TxControl::Commit:
      if (!view_explicit_) return {Rewrite::RollbackTo, "COMMIT", true, Transition::None};
      if (view_status_ != 'T') return {Rewrite::RollbackTo, "ROLLBACK", false, Transition::Undo};
      return {Rewrite::Release, "COMMIT", false, Transition::Close};
    case TxControl::Rollback:
      if (!view_explicit_) return {Rewrite::RollbackTo, "ROLLBACK", true, Transition::None};
      return {Rewrite::RollbackTo, "ROLLBACK", false, Transition::Undo};
    default:
      return {};
  }
}

std::string Shadow::sql_of(Rewrite r, bool simple) {
  switch (r) {
    case Rewrite::RollbackTo:
      return frame_sql("ROLLBACK TO");
    case Rewrite::Release:
      // As a Query both statements go at once; after a Parse the SAVEPOINT follows the
      // Execute (on_execute).
      return simple ? frame_sql("RELEASE") + "; SAVEPOINT " + std::string(kFrame)
                    : frame_sql("RELEASE");
    case Rewrite::Forward:
      break;
  }
  return {};
}

std::optional<Verdict> Shadow::on_execute(const StatementInfo* info,
                                          std::optional<Rewrite> parsed, bool simple,
                                          std::string& after) {
  const TxControl tx = info ? info->tx : TxControl::None;
  if (tx == TxControl::Begin || tx == TxControl::Commit || tx == TxControl::Rollback) {
    if (batch_executes_ > 0) {
      return refusal(sqlstate::kFeatureNotSupported,
                     "airlock: in shadow mode BEGIN, COMMIT and ROLLBACK must be the first "
                     "statement executed after a Sync [gateway.shadow]",
                     "Send a Sync before it.");
    }
    const Plan p = plan(tx);
    if (parsed != p.rewrite) {
      return refusal(sqlstate::kFeatureNotSupported,
                     "airlock: this transaction-control statement was prepared while the "
                     "transaction was in another state, and shadow mode emulates it when it is "
                     "prepared [gateway.shadow]",
                     "Prepare it again in the batch that executes it.");
    }
    ++batch_executes_;
    if (p.rewrite == Rewrite::Release && !simple) {
      protocol::append_close(after, 'S', name_);
      protocol::append_close(after, 'P', name_);
      protocol::append_parse(after, name_, std::string("SAVEPOINT ") + std::string(kFrame));
      protocol::append_bind(after, name_, name_);
      protocol::append_execute(after, name_);
    }
    if (p.rewrite != Rewrite::Forward) expected_ = p;
    if (p.transition == Transition::Open) view_explicit_ = true;
    if (p.transition == Transition::Close || p.transition == Transition::Undo) {
      view_explicit_ = false;
      view_status_ = 'T';
    }
    return std::nullopt;
  }
  if (tx == TxControl::NeedsBlock && !view_explicit_) {
    return refusal(kNoActiveTransaction,
                   info->tx_command + " can only be used in transaction blocks");
  }
  ++batch_executes_;
  return std::nullopt;
}

void Shadow::on_parse(std::string_view statement, std::optional<Rewrite> r) {
  if (r) {
    statements_.insert_or_assign(std::string(statement), *r);
  } else if (auto it = statements_.find(statement); it != statements_.end()) {
    statements_.erase(it);
  }
}

void Shadow::on_bind(std::string_view portal, std::string_view statement) {
  if (auto it = statements_.find(statement); it != statements_.end()) {
    portals_.insert_or_assign(std::string(portal), it->second);
  } else if (auto p = portals_.find(portal); p != portals_.end()) {
    portals_.erase(p);
  }
}

std::optional<Shadow::Rewrite> Shadow::portal_rewrite(std::string_view portal) const {
  auto it = portals_.find(portal);
  if (it == portals_.end()) return std::nullopt;
  return it->second;
}

char Shadow::ready(char upstream_status) {
  upstream_status_ = upstream_status;
  expected_.reset();
  reopen_pending_ = false;
  return client_status();
}

Shadow::Action Shadow::on_frame(const protocol::Frame& f, bool guard_running, std::string& out) {
  if (fixups_pending_ > 0) {  // the fix-up Query in front of the batch
    switch (f.type) {
      case 'C':
        return Action::Swallow;
      case 'Z': {
        --fixups_pending_;
        const auto s = protocol::parse_ready_for_query(f);
        if (!fatal_.empty() || !s || *s != 'T') {
          if (fatal_.empty()) fatal_ = "the fix-up left the transaction aborted";
          return Action::Fatal;
        }
        upstream_status_ = 'T';
        return Action::Swallow;
      }
      case 'E': {
        const auto e = protocol::parse_error(f);
        fatal_ = e ? std::string(e->message) : std::string("invalid error");
        return Action::Fatal;
      }
      case 'N': case 'S': case 'A':
        return Action::Pass;
      default:
        fatal_ = std::string("unexpected message '") + f.type + "' after a fix-up";
        return Action::Fatal;
    }
  }
  if (guard_running) return Action::Pass;
  if (reopen_pending_) {  // the SAVEPOINT after a COMMIT
    switch (f.type) {
      case '3': case '1': case '2':
        return Action::Swallow;
      case 'C':
        reopen_pending_ = false;
        return Action::Swallow;
      case 'N': case 'S': case 'A':
        return Action::Pass;
      default: {
        const auto e = f.type == 'E' ? protocol::parse_error(f) : std::nullopt;
        fatal_ = e ? std::string(e->message)
                   : std::string("unexpected message '") + f.type + "' after COMMIT";
        return Action::Fatal;
      }
    }
  }
  switch (f.type) {
    case 'C': {
      if (!expected_) return Action::Pass;
      const Plan p = *expected_;
      expected_.reset();
      if (p.warn) {
        protocol::append_notice(out, {.severity = "WARNING", .sqlstate = kNoActiveTransaction,
                                      .message = "there is no transaction in progress"});
      }
      protocol::MessageBuilder b(out);
      b.begin('C').cstring(p.tag).end();
      switch (p.transition) {
        case Transition::Open: frame_ = Block::Explicit; break;
        case Transition::Close:
          frame_ = Block::Implicit;
          reopen_pending_ = true;
          break;
        case Transition::Undo: frame_ = Block::Implicit; break;
        case Transition::None: break;
      }
      return Action::Replace;
    }
    case 'E':
      expected_.reset();  // the emulated statement failed, or is skipped to the Sync
      return Action::Pass;
    case 'Z': {
      const auto s = protocol::parse_ready_for_query(f);
      if (!s) return Action::Pass;  // the relay refuses it
      if (*s == 'I') {  // the session's transaction ended: writes would now commit
        fatal_ = "the upstream transaction ended";
        return Action::Fatal;
      }
      protocol::append_ready_for_query(out, ready(*s));
      return Action::Replace;
    }
    default:
      return Action::Pass;
  }
}

}  // namespace airlock::proxy
