// SELECT (including VALUES and set operations), WITH clauses, row locking, SELECT INTO.
#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {

void Translator::select(SelectStmt* s) {
  auto g = enter();
  if (!g.ok || s == nullptr) return;
  const std::size_t cte_mark = cte_names_.size();
  if (s->withClause != nullptr) with_clause(s->withClause);
  if (s->op != SETOP_NONE) {
    select(s->larg);
    select(s->rarg);
  }
  for (ListCell* lc = list_head(s->valuesLists); lc; lc = lnext(s->valuesLists, lc))
    expr(static_cast<Node*>(lfirst(lc)));
  expr_list(s->distinctClause);  // may hold a NULL element for plain DISTINCT
  if (s->intoClause != nullptr) into_clause(s->intoClause);
  expr_list(s->targetList);

  const std::size_t from_mark = f_.relations.size();
  from_list(s->fromClause);
  const std::size_t from_end = f_.relations.size();

  expr(s->whereClause);
  expr_list(s->groupClause);
  expr(s->havingClause);
  expr_list(s->windowClause);
  expr_list(s->sortClause);
  expr(s->limitOffset);
  expr(s->limitCount);
  if (s->lockingClause != nullptr) {
    f_.row_locking = true;
    // FOR UPDATE/SHARE [OF alias] locks rows of this level's FROM relations. Aliases are
    // not resolved here: every relation read directly by this FROM clause gets a Lock entry.
    for (std::size_t i = from_mark; i < from_end; ++i) {
      if (f_.relations[i].mode != AccessMode::Read) continue;
      RelationRef lock = f_.relations[i];
      lock.mode = AccessMode::Lock;
      f_.relations.push_back(std::move(lock));
    }
    locking(s->lockingClause);
  }
  cte_names_.resize(cte_mark);
}

void Translator::locking(List* clauses) {
  for (ListCell* lc = list_head(clauses); lc; lc = lnext(clauses, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (!IsA(n, LockingClause)) unsupported_node("locking clause", n);
  }
}

void Translator::into_clause(IntoClause* into) {
  f_.select_into = true;
  if (into->rel != nullptr) relation(into->rel, AccessMode::Ddl);
}

void Translator::with_clause(WithClause* w) {
  auto g = enter();
  if (!g.ok) return;
  for (ListCell* lc = list_head(w->ctes); lc; lc = lnext(w->ctes, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (!IsA(n, CommonTableExpr)) {
      unsupported_node("WITH item", n);
      continue;
    }
    auto* cte = castNode(CommonTableExpr, n);
    // Visible in its own body only for WITH RECURSIVE; after it either way. Policy skips
    // CTE references, so a name must never be in scope where PostgreSQL would read the
    // table (and only FROM items look names up: relation()'s `in_from`).
    if (w->recursive) cte_names_.emplace_back(or_empty(cte->ctename));
    Scope in_cte(in_cte_);
    Node* q = cte->ctequery;
    if (q == nullptr) {
      unsupported("empty WITH query");
    } else {
      switch (nodeTag(q)) {
        case T_SelectStmt:
          select(castNode(SelectStmt, q));
          break;
        case T_InsertStmt:
          f_.has_data_modifying_cte = true;
          insert(castNode(InsertStmt, q));
          break;
        case T_UpdateStmt:
          f_.has_data_modifying_cte = true;
          update(castNode(UpdateStmt, q));
          break;
        case T_DeleteStmt:
          f_.has_data_modifying_cte = true;
          delete_(castNode(DeleteStmt, q));
          break;
        case T_MergeStmt:
          f_.has_data_modifying_cte = true;
          merge(castNode(MergeStmt, q));
          break;
        default:
          unsupported_node("WITH query", q);
          break;
      }
    }
    if (!w->recursive) cte_names_.emplace_back(or_empty(cte->ctename));
  }
}

}  // namespace airlock::sql::pg
