// The one statement dispatch switch. Anything not named here is Unsupported, which the
// policy denies: a gate, not a tap.
#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {
namespace {

void set_kind(StatementFacts& f, StatementKind k, const char* command) {
  f.kind = k;
  f.inner_kind = k;
  f.command = command;
}

}  // namespace

void Translator::statement(Node* n) {
  auto g = enter();
  if (!g.ok || n == nullptr) return;
  StatementFacts& f = f_;
  switch (nodeTag(n)) {
    case T_SelectStmt:
      set_kind(f, StatementKind::Select, "SELECT");
      select(castNode(SelectStmt, n));
      break;
    case T_InsertStmt:
      set_kind(f, StatementKind::Insert, "INSERT");
      insert(castNode(InsertStmt, n));
      break;
    case T_UpdateStmt:
      set_kind(f, StatementKind::Update, "UPDATE");
      update(castNode(UpdateStmt, n));
      break;
    case T_DeleteStmt:
      set_kind(f, StatementKind::Delete, "DELETE");
      delete_(castNode(DeleteStmt, n));
      break;
    case T_MergeStmt:
      set_kind(f, StatementKind::Merge, "MERGE");
      merge(castNode(MergeStmt, n));
      break;
    case T_TransactionStmt:
      set_kind(f, StatementKind::TransactionControl, "TRANSACTION");
      transaction(castNode(TransactionStmt, n));
      break;
    case T_VariableSetStmt: {
      auto* s = castNode(VariableSetStmt, n);
      bool reset = s->kind == VAR_RESET || s->kind == VAR_RESET_ALL;
      set_kind(f, reset ? StatementKind::Reset : StatementKind::Set, reset ? "RESET" : "SET");
      variable_set(s);
      break;
    }
    case T_VariableShowStmt:
      set_kind(f, StatementKind::Show, "SHOW");
      f.object_name = or_empty(castNode(VariableShowStmt, n)->name);
      break;
    case T_DiscardStmt:
      set_kind(f, StatementKind::Discard, "DISCARD");
      break;
    case T_ListenStmt:
      set_kind(f, StatementKind::Listen, "LISTEN");
      f.object_name = or_empty(castNode(ListenStmt, n)->conditionname);
      break;
    case T_UnlistenStmt:
      set_kind(f, StatementKind::Unlisten, "UNLISTEN");
      f.object_name = or_empty(castNode(UnlistenStmt, n)->conditionname);
      break;
    case T_NotifyStmt:
      set_kind(f, StatementKind::Notify, "NOTIFY");
      f.object_name = or_empty(castNode(NotifyStmt, n)->conditionname);
      break;
    case T_PrepareStmt: {
      auto* s = castNode(PrepareStmt, n);
      set_kind(f, StatementKind::Prepare, "PREPARE");
      f.object_name = or_empty(s->name);
      for (ListCell* lc = list_head(s->argtypes); lc; lc = lnext(s->argtypes, lc))
        type_name(lfirst_node(TypeName, lc));
      f.inner_kind = inner_statement(s->query);
      break;
    }
    case T_ExecuteStmt: {
      auto* s = castNode(ExecuteStmt, n);
      set_kind(f, StatementKind::Execute, "EXECUTE");
      f.object_name = or_empty(s->name);
      expr_list(s->params);
      break;
    }
    case T_DeallocateStmt:
      set_kind(f, StatementKind::Deallocate, "DEALLOCATE");
      f.object_name = or_empty(castNode(DeallocateStmt, n)->name);
      break;
    case T_DeclareCursorStmt: {
      auto* s = castNode(DeclareCursorStmt, n);
      set_kind(f, StatementKind::DeclareCursor, "DECLARE CURSOR");
      f.object_name = or_empty(s->portalname);
      f.inner_kind = inner_statement(s->query);
      break;
    }
    case T_FetchStmt: {
      auto* s = castNode(FetchStmt, n);
      set_kind(f, StatementKind::Fetch, s->ismove ? "MOVE" : "FETCH");
      f.object_name = or_empty(s->portalname);
      break;
    }
    case T_ClosePortalStmt:
      set_kind(f, StatementKind::ClosePortal, "CLOSE");
      f.object_name = or_empty(castNode(ClosePortalStmt, n)->portalname);
      break;
    case T_ExplainStmt:
      set_kind(f, StatementKind::Explain, "EXPLAIN");
      explain(castNode(ExplainStmt, n));
      break;
    case T_CopyStmt:
      set_kind(f, StatementKind::Copy, "COPY");
      copy(castNode(CopyStmt, n));
      break;
    case T_LockStmt: {
      auto* s = castNode(LockStmt, n);
      set_kind(f, StatementKind::Lock, "LOCK TABLE");
      for (ListCell* lc = list_head(s->relations); lc; lc = lnext(s->relations, lc))
        relation(lfirst_node(RangeVar, lc), AccessMode::Lock);
      break;
    }
    case T_TruncateStmt: {
      auto* s = castNode(TruncateStmt, n);
      set_kind(f, StatementKind::Truncate, "TRUNCATE TABLE");
      for (ListCell* lc = list_head(s->relations); lc; lc = lnext(s->relations, lc))
        relation(lfirst_node(RangeVar, lc), AccessMode::Truncate);
      break;
    }
    case T_CallStmt: {
      auto* s = castNode(CallStmt, n);
      set_kind(f, StatementKind::Call, "CALL");
      FuncCall* fc = s->funccall;
      if (fc == nullptr) return unsupported("CALL without a function");
      function(fc->funcname, fc->args, FunctionSite::Call, fc->location);
      expr_list(fc->args);
      break;
    }
    case T_DoStmt:
      set_kind(f, StatementKind::Do, "DO");
      break;
    case T_VacuumStmt: {
      auto* s = castNode(VacuumStmt, n);
      set_kind(f, s->is_vacuumcmd ? StatementKind::Vacuum : StatementKind::Analyze,
               s->is_vacuumcmd ? "VACUUM" : "ANALYZE");
      for (ListCell* lc = list_head(s->rels); lc; lc = lnext(s->rels, lc)) {
        auto* vr = lfirst_node(VacuumRelation, lc);
        if (vr->relation != nullptr) relation(vr->relation, AccessMode::Ddl);
      }
      break;
    }
    case T_CheckPointStmt:
      set_kind(f, StatementKind::Checkpoint, "CHECKPOINT");
      break;
    case T_LoadStmt:
      set_kind(f, StatementKind::Load, "LOAD");
      f.object_name = or_empty(castNode(LoadStmt, n)->filename);
      break;
    case T_RefreshMatViewStmt:
      set_kind(f, StatementKind::RefreshMatView, "REFRESH MATERIALIZED VIEW");
      relation(castNode(RefreshMatViewStmt, n)->relation, AccessMode::Ddl);
      break;
    case T_GrantStmt:
    case T_GrantRoleStmt:
    case T_AlterDefaultPrivilegesStmt:
      set_kind(f, StatementKind::Grant, nodeTag(n) == T_GrantRoleStmt ? "GRANT ROLE" : "GRANT");
      if (nodeTag(n) == T_GrantStmt) {
        auto* s = castNode(GrantStmt, n);
        if (!s->is_grant) f.command = "REVOKE";
        if (s->targtype == ACL_TARGET_OBJECT && s->objtype == OBJECT_TABLE) {
          for (ListCell* lc = list_head(s->objects); lc; lc = lnext(s->objects, lc))
            if (IsA(lfirst(lc), RangeVar)) relation(lfirst_node(RangeVar, lc), AccessMode::Ddl);
        }
      }
      break;
    default:
      f.kind = StatementKind::Ddl;
      f.inner_kind = StatementKind::Ddl;
      ddl(n);  // ddl.cpp has its own list; anything unknown there becomes Unsupported
      break;
  }
}

StatementKind Translator::inner_statement(Node* n) {
  if (n == nullptr) {
    unsupported("missing inner statement");
    return StatementKind::Unsupported;
  }
  // The wrapped statement adds its relations and functions to our facts; only its kind
  // and command name are taken back.
  const StatementKind outer_kind = f_.kind;
  std::string outer_command = f_.command;
  statement(n);
  const StatementKind k = f_.kind;
  f_.kind = outer_kind;
  f_.inner_kind = outer_kind;
  f_.command = std::move(outer_command);
  return k;
}

}  // namespace airlock::sql::pg
