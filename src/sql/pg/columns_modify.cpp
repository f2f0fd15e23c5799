// Column walk of INSERT, UPDATE, DELETE, MERGE and COPY, and the statement switch that picks
// the result columns reported in StatementFacts::output_columns.
#include "sql/pg/columns.hpp"
#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {
namespace {

std::string target_name(Node* n) {
  return n != nullptr && IsA(n, ResTarget) ? or_empty(castNode(ResTarget, n)->name) : "";
}

}  // namespace

std::vector<Output> ColumnWalker::statement_outputs(Node* n, const Scope* parent) {
  if (n == nullptr) return {};
  switch (nodeTag(n)) {
    case T_SelectStmt: return select(castNode(SelectStmt, n), parent);
    case T_InsertStmt: return insert(castNode(InsertStmt, n), parent);
    case T_UpdateStmt: return update(castNode(UpdateStmt, n), parent);
    case T_DeleteStmt: return delete_(castNode(DeleteStmt, n), parent);
    case T_MergeStmt: return merge(castNode(MergeStmt, n), parent);
    default: return {};
  }
}

void ColumnWalker::statement(Node* n) {
  if (n == nullptr) return;
  switch (nodeTag(n)) {
    case T_SelectStmt:
    case T_InsertStmt:
    case T_UpdateStmt:
    case T_DeleteStmt:
    case T_MergeStmt: {
      std::vector<Output> outs = statement_outputs(n, nullptr);
      if (IsA(n, SelectStmt) && castNode(SelectStmt, n)->intoClause != nullptr)
        store(outs);  // SELECT INTO: the rows go into a new table
      to_output_columns(outs, f_.output_columns);
      break;
    }
    case T_ExplainStmt: {
      // The plan, not the rows, is returned; the statement's reads still count.
      std::vector<OutputColumn> none;
      auto* e = castNode(ExplainStmt, n);
      to_output_columns(statement_outputs(e->query, nullptr), none);
      break;
    }
    case T_PrepareStmt: statement(castNode(PrepareStmt, n)->query); break;
    case T_DeclareCursorStmt: statement(castNode(DeclareCursorStmt, n)->query); break;
    case T_CopyStmt: to_output_columns(copy(castNode(CopyStmt, n)), f_.output_columns); break;
    case T_CreateTableAsStmt:
      store(statement_outputs(castNode(CreateTableAsStmt, n)->query, nullptr));
      break;
    case T_ViewStmt: store(statement_outputs(castNode(ViewStmt, n)->query, nullptr)); break;
    default: break;
  }
  f_.stored_sources = stored_.sources;
  f_.stored_opaque = stored_.opaque;
  for (const RelationRef& r : f_.relations) {
    if (r.where_shape == WhereShape::NotApplicable) continue;
    if (f_.where_shape == WhereShape::NotApplicable || r.where_shape < f_.where_shape)
      f_.where_shape = r.where_shape;
  }
}

void ColumnWalker::store(const std::vector<Output>& outs) {
  for (const Output& o : outs) stored_.merge(o.lineage);
}

// The scope of an UPDATE or DELETE: its target first, then FROM / USING items.
Scope ColumnWalker::write_scope(RangeVar* target, List* from, const Scope* parent) {
  Scope sc{parent, {}, false};
  sc.entries.push_back(table_entry(target));
  sc.entries.front().target = true;
  for (ListCell* lc = list_head(from); lc; lc = lnext(from, lc))
    from_item(static_cast<Node*>(lfirst(lc)), sc);
  return sc;
}

// SET targets of UPDATE and ON CONFLICT DO UPDATE: each column written, its value read.
void ColumnWalker::write_targets(List* targets, int access, const Scope& sc) {
  for (ListCell* lc = list_head(targets); lc; lc = lnext(targets, lc)) {
    write_column(access, target_name(static_cast<Node*>(lfirst(lc))));
    expr(static_cast<Node*>(lfirst(lc)), sc, &stored_);
  }
}

// RETURNING outputs, then the statement's WITH queries go out of scope.
std::vector<Output> ColumnWalker::returning(List* list, const Scope& sc, std::size_t cte_mark) {
  std::vector<Output> outs;
  target_list(list, sc, outs);
  ctes_.resize(cte_mark);
  return outs;
}

std::vector<Output> ColumnWalker::insert(InsertStmt* s, const Scope* parent) {
  Depth d(depth_);
  if (s == nullptr || s->relation == nullptr || depth_ > kMaxDepth) return {};
  const std::size_t cte_mark = ctes_.size();
  with_clause(s->withClause, parent);
  Scope sc{parent, {}, false};
  sc.entries.push_back(table_entry(s->relation));
  const RangeEntry& target = sc.entries.front();
  for (ListCell* lc = list_head(s->cols); lc; lc = lnext(s->cols, lc))
    write_column(target.access, target_name(static_cast<Node*>(lfirst(lc))));
  if (s->cols == nullptr) write_all(target);
  if (s->selectStmt != nullptr && IsA(s->selectStmt, SelectStmt))
    store(select(castNode(SelectStmt, s->selectStmt), parent));  // VALUES lists too
  if (OnConflictClause* oc = s->onConflictClause; oc != nullptr) {
    RangeEntry excluded = target;
    excluded.type = RangeEntry::Type::Excluded;
    excluded.alias = "excluded";
    excluded.colnames.clear();
    sc.entries.push_back(std::move(excluded));
    const RangeEntry& t = sc.entries.front();
    if (InferClause* inf = oc->infer; inf != nullptr) {
      for (ListCell* lc = list_head(inf->indexElems); lc; lc = lnext(inf->indexElems, lc)) {
        auto* ie = static_cast<Node*>(lfirst(lc));
        if (!IsA(ie, IndexElem)) continue;
        if (castNode(IndexElem, ie)->name != nullptr) read_column(t, castNode(IndexElem, ie)->name, nullptr);
        expr(castNode(IndexElem, ie)->expr, sc, nullptr);
      }
      expr(inf->whereClause, sc, nullptr);
    }
    write_targets(oc->targetList, t.access, sc);
    expr(oc->whereClause, sc, nullptr);
    // DO UPDATE touches only the rows that conflict with the inserted ones.
    if (oc->action == ONCONFLICT_UPDATE)
      set_where_shape(s->relation->location, WhereShape::Restrictive, true, false);
    sc.entries.pop_back();
  }
  return returning(s->returningList, sc, cte_mark);
}

std::vector<Output> ColumnWalker::update(UpdateStmt* s, const Scope* parent) {
  Depth d(depth_);
  if (s == nullptr || s->relation == nullptr || depth_ > kMaxDepth) return {};
  const std::size_t cte_mark = ctes_.size();
  with_clause(s->withClause, parent);
  Scope sc = write_scope(s->relation, s->fromClause, parent);
  write_targets(s->targetList, sc.entries.front().access, sc);
  set_where_shape(s->relation->location, where_shape(s->whereClause, sc), true, false);
  return returning(s->returningList, sc, cte_mark);
}

std::vector<Output> ColumnWalker::delete_(DeleteStmt* s, const Scope* parent) {
  Depth d(depth_);
  if (s == nullptr || s->relation == nullptr || depth_ > kMaxDepth) return {};
  const std::size_t cte_mark = ctes_.size();
  with_clause(s->withClause, parent);
  Scope sc = write_scope(s->relation, s->usingClause, parent);
  set_where_shape(s->relation->location, where_shape(s->whereClause, sc), false, true);
  return returning(s->returningList, sc, cte_mark);
}

std::vector<Output> ColumnWalker::merge(MergeStmt* s, const Scope* parent) {
  Depth d(depth_);
  if (s == nullptr || s->relation == nullptr || depth_ > kMaxDepth) return {};
  const std::size_t cte_mark = ctes_.size();
  with_clause(s->withClause, parent);
  Scope sc{parent, {}, false};
  sc.entries.push_back(table_entry(s->relation));
  sc.entries.front().target = true;
  from_item(s->sourceRelation, sc);
  // Rows of the target are matched by the join condition: it plays the WHERE's part.
  set_where_shape(s->relation->location, where_shape(s->joinCondition, sc), true, true);
  const RangeEntry& t = sc.entries.front();
  for (ListCell* lc = list_head(s->mergeWhenClauses); lc; lc = lnext(s->mergeWhenClauses, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (!IsA(n, MergeWhenClause)) continue;
    auto* w = castNode(MergeWhenClause, n);
    expr(w->condition, sc, nullptr);
    for (ListCell* c = list_head(w->targetList); c; c = lnext(w->targetList, c))
      write_column(t.access, target_name(static_cast<Node*>(lfirst(c))));
    if (w->commandType == CMD_INSERT && w->targetList == nullptr) write_all(t);
    if (w->commandType == CMD_UPDATE) expr_list(w->targetList, sc, &stored_);
    expr_list(w->values, sc, &stored_);
  }
  ctes_.resize(cte_mark);
  return {};
}

std::vector<Output> ColumnWalker::copy(CopyStmt* s) {
  if (s->query != nullptr) return statement_outputs(s->query, nullptr);
  if (s->relation == nullptr) return {};
  Scope sc{nullptr, {}, false};
  sc.entries.push_back(table_entry(s->relation));
  const RangeEntry& t = sc.entries.front();
  std::vector<Output> outs;
  if (s->attlist == nullptr) {
    if (s->is_from) write_all(t);
    else expand_star(sc, &t, outs);
  }
  for (ListCell* lc = list_head(s->attlist); lc; lc = lnext(s->attlist, lc)) {
    const std::string col = str_value(static_cast<Node*>(lfirst(lc)));
    if (s->is_from) {
      write_column(t.access, col);
    } else {
      Output o{col, {}};
      read_column(t, col, &o.lineage);
      o.direct = true;
      outs.push_back(std::move(o));
    }
  }
  expr(s->whereClause, sc, nullptr);
  return s->is_from ? std::vector<Output>{} : outs;
}

}  // namespace airlock::sql::pg
