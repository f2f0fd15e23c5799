// Session and utility statements with content worth reporting: transaction control,
// SET/RESET (including SET TRANSACTION / SESSION CHARACTERISTICS), COPY, EXPLAIN.
#include <string>

#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {
namespace {

TransactionOp op_of(TransactionStmtKind k) {
  switch (k) {
    case TRANS_STMT_BEGIN: return TransactionOp::Begin;
    case TRANS_STMT_START: return TransactionOp::Start;
    case TRANS_STMT_COMMIT: return TransactionOp::Commit;
    case TRANS_STMT_ROLLBACK: return TransactionOp::Rollback;
    case TRANS_STMT_SAVEPOINT: return TransactionOp::Savepoint;
    case TRANS_STMT_RELEASE: return TransactionOp::Release;
    case TRANS_STMT_ROLLBACK_TO: return TransactionOp::RollbackTo;
    case TRANS_STMT_PREPARE: return TransactionOp::PrepareTransaction;
    case TRANS_STMT_COMMIT_PREPARED: return TransactionOp::CommitPrepared;
    case TRANS_STMT_ROLLBACK_PREPARED: return TransactionOp::RollbackPrepared;
  }
  return TransactionOp::Begin;
}

// Transaction mode items are DefElems: transaction_isolation / transaction_read_only /
// transaction_deferrable with an A_Const argument.
std::string mode_value(const DefElem* d) {
  std::string v = const_text(d->arg);
  if (v == "1") return "true";
  if (v == "0") return "false";
  return v;
}

bool truthy_option(const DefElem* d) {
  if (d->arg == nullptr) return true;  // EXPLAIN (ANALYZE) and EXPLAIN ANALYZE
  std::string v = const_text(d->arg);
  for (char& c : v) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return !(v == "false" || v == "off" || v == "0" || v == "no");
}

}  // namespace

void Translator::transaction(TransactionStmt* s) {
  TransactionInfo t;
  t.op = op_of(s->kind);
  t.chain = s->chain;
  t.name = s->savepoint_name != nullptr ? s->savepoint_name : or_empty(s->gid);
  for (ListCell* lc = list_head(s->options); lc; lc = lnext(s->options, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (!IsA(n, DefElem)) {
      unsupported_node("transaction mode", n);
      continue;
    }
    auto* d = castNode(DefElem, n);
    const std::string name = or_empty(d->defname);
    if (name == "transaction_read_only") t.read_only = mode_value(d) == "true";
    else if (name == "transaction_isolation") t.isolation = mode_value(d);
    else if (name != "transaction_deferrable") unsupported("unknown transaction mode " + name);
  }
  static constexpr const char* kNames[] = {"BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK",
                                           "SAVEPOINT", "RELEASE", "ROLLBACK TO",
                                           "PREPARE TRANSACTION", "COMMIT PREPARED",
                                           "ROLLBACK PREPARED"};
  f_.command = kNames[static_cast<int>(t.op)];
  if (t.op == TransactionOp::PrepareTransaction || t.op == TransactionOp::CommitPrepared ||
      t.op == TransactionOp::RollbackPrepared)
    f_.kind = f_.inner_kind = StatementKind::TwoPhase;
  f_.transaction = std::move(t);
}

void Translator::variable_set(VariableSetStmt* s) {
  SettingChange c;
  c.name = or_empty(s->name);
  c.scope = s->is_local ? SettingScope::Local : SettingScope::Session;
  switch (s->kind) {
    case VAR_SET_VALUE: c.action = SettingAction::Set; break;
    case VAR_SET_DEFAULT: c.action = SettingAction::SetDefault; break;
    case VAR_SET_CURRENT: c.action = SettingAction::SetFromCurrent; break;
    case VAR_RESET: c.action = SettingAction::Reset; break;
    case VAR_RESET_ALL: c.action = SettingAction::ResetAll; break;
    case VAR_SET_MULTI: {
      // SET TRANSACTION ... / SET SESSION CHARACTERISTICS AS TRANSACTION ...
      const std::string which = c.name;
      const SettingScope scope = which == "TRANSACTION" ? SettingScope::Transaction
                                                        : SettingScope::SessionCharacteristics;
      if (which != "TRANSACTION" && which != "SESSION CHARACTERISTICS")
        unsupported("unknown SET form " + which);
      for (ListCell* lc = list_head(s->args); lc; lc = lnext(s->args, lc)) {
        auto* n = static_cast<Node*>(lfirst(lc));
        if (!IsA(n, DefElem)) {
          if (which == "TRANSACTION" && IsA(n, A_Const)) {  // SET TRANSACTION SNAPSHOT 'id'
            f_.settings.push_back({"transaction_snapshot", const_text(n), scope,
                                   SettingAction::Set});
            continue;
          }
          unsupported_node("SET TRANSACTION item", n);
          continue;
        }
        auto* d = castNode(DefElem, n);
        f_.settings.push_back({or_empty(d->defname), mode_value(d), scope, SettingAction::Set});
      }
      return;
    }
  }
  std::string value;
  for (ListCell* lc = list_head(s->args); lc; lc = lnext(s->args, lc)) {
    if (!value.empty()) value += ", ";
    value += const_text(static_cast<Node*>(lfirst(lc)));
  }
  c.value = std::move(value);
  f_.settings.push_back(std::move(c));
}

void Translator::copy(CopyStmt* s) {
  CopyInfo ci;
  ci.is_from = s->is_from;
  ci.is_program = s->is_program;
  ci.target = or_empty(s->filename);
  if (s->relation != nullptr) {
    relation(s->relation, s->is_from ? AccessMode::Copy : AccessMode::Read);
    f_.inner_kind = StatementKind::Copy;
  }
  if (s->query != nullptr) f_.inner_kind = inner_statement(s->query);
  expr(s->whereClause);
  f_.copy = std::move(ci);
}

void Translator::explain(ExplainStmt* s) {
  for (ListCell* lc = list_head(s->options); lc; lc = lnext(s->options, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (!IsA(n, DefElem)) {
      unsupported_node("EXPLAIN option", n);
      continue;
    }
    auto* d = castNode(DefElem, n);
    if (std::string(or_empty(d->defname)) == "analyze" && truthy_option(d))
      f_.is_explain_analyze = true;
  }
  f_.inner_kind = inner_statement(s->query);
}

}  // namespace airlock::sql::pg
