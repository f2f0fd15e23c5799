// INSERT, UPDATE, DELETE, MERGE: the target relation with its write mode, every relation
// read on the way (SELECT source, FROM, USING, sub-selects), ON CONFLICT and RETURNING.
#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {

void Translator::insert(InsertStmt* s) {
  auto g = enter();
  if (!g.ok || s == nullptr) return;
  const std::size_t cte_mark = cte_names_.size();
  if (s->withClause != nullptr) with_clause(s->withClause);
  relation(s->relation, AccessMode::Insert);
  expr_list(s->cols);
  if (s->selectStmt != nullptr) {
    if (IsA(s->selectStmt, SelectStmt))
      select(castNode(SelectStmt, s->selectStmt));
    else
      unsupported_node("INSERT source", s->selectStmt);
  }
  if (OnConflictClause* oc = s->onConflictClause; oc != nullptr) {
    if (InferClause* inf = oc->infer; inf != nullptr) {
      for (ListCell* lc = list_head(inf->indexElems); lc; lc = lnext(inf->indexElems, lc)) {
        auto* ie = static_cast<Node*>(lfirst(lc));
        if (IsA(ie, IndexElem))
          expr(castNode(IndexElem, ie)->expr);
        else
          unsupported_node("ON CONFLICT target", ie);
      }
      expr(inf->whereClause);
    }
    if (oc->action == ONCONFLICT_UPDATE) {
      f_.on_conflict_update = true;
      relation(s->relation, AccessMode::Update);
      expr_list(oc->targetList);
      expr(oc->whereClause);
    }
  }
  if (s->returningList != nullptr) f_.has_returning = true;
  expr_list(s->returningList);
  cte_names_.resize(cte_mark);
}

void Translator::update(UpdateStmt* s) {
  auto g = enter();
  if (!g.ok || s == nullptr) return;
  const std::size_t cte_mark = cte_names_.size();
  if (s->withClause != nullptr) with_clause(s->withClause);
  relation(s->relation, AccessMode::Update);
  expr_list(s->targetList);
  from_list(s->fromClause);
  if (s->whereClause != nullptr && in_cte_ == 0) f_.has_where = true;
  expr(s->whereClause);
  if (s->returningList != nullptr) f_.has_returning = true;
  expr_list(s->returningList);
  cte_names_.resize(cte_mark);
}

void Translator::delete_(DeleteStmt* s) {
  auto g = enter();
  if (!g.ok || s == nullptr) return;
  const std::size_t cte_mark = cte_names_.size();
  if (s->withClause != nullptr) with_clause(s->withClause);
  relation(s->relation, AccessMode::Delete);
  from_list(s->usingClause);
  if (s->whereClause != nullptr && in_cte_ == 0) f_.has_where = true;
  expr(s->whereClause);
  if (s->returningList != nullptr) f_.has_returning = true;
  expr_list(s->returningList);
  cte_names_.resize(cte_mark);
}

void Translator::merge(MergeStmt* s) {
  auto g = enter();
  if (!g.ok || s == nullptr) return;
  const std::size_t cte_mark = cte_names_.size();
  if (s->withClause != nullptr) with_clause(s->withClause);
  from_item(s->sourceRelation);
  expr(s->joinCondition);
  bool ins = false, upd = false, del = false;
  for (ListCell* lc = list_head(s->mergeWhenClauses); lc; lc = lnext(s->mergeWhenClauses, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (!IsA(n, MergeWhenClause)) {
      unsupported_node("MERGE WHEN", n);
      continue;
    }
    auto* w = castNode(MergeWhenClause, n);
    switch (w->commandType) {
      case CMD_INSERT: ins = true; break;
      case CMD_UPDATE: upd = true; break;
      case CMD_DELETE: del = true; break;
      case CMD_NOTHING: break;
      default: unsupported("unknown MERGE action"); break;
    }
    expr(w->condition);
    expr_list(w->targetList);
    expr_list(w->values);
  }
  // The target is always read (join), and written in every mode a WHEN clause names.
  relation(s->relation, AccessMode::Read);
  if (ins) relation(s->relation, AccessMode::Insert);
  if (upd) relation(s->relation, AccessMode::Update);
  if (del) relation(s->relation, AccessMode::Delete);
  cte_names_.resize(cte_mark);
}

}  // namespace airlock::sql::pg
