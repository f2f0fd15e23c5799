// Column scopes of SELECT: WITH queries, FROM items, select lists, set operations, VALUES.
#include "sql/pg/columns.hpp"
#include "sql/pg/translator.hpp"
#include "sql/resolve.hpp"

namespace airlock::sql::pg {
namespace {

std::vector<std::string> names_of(List* l) {
  std::vector<std::string> out;
  for (ListCell* lc = list_head(l); lc; lc = lnext(l, lc)) out.push_back(str_value(static_cast<Node*>(lfirst(lc))));
  return out;
}

void rename(std::vector<Output>& outs, const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size() && i < outs.size() && !outs[i].star; ++i)
    outs[i].name = names[i];
}

bool has_star(const std::vector<Output>& outs) {
  for (const Output& o : outs)
    if (o.star) return true;
  return false;
}

// UNION/INTERSECT/EXCEPT: names from the left arm, lineage merged by position.
std::vector<Output> set_operation(std::vector<Output> l, const std::vector<Output>& r) {
  if (!has_star(l) && !has_star(r) && l.size() == r.size()) {
    for (std::size_t i = 0; i < l.size(); ++i) {
      l[i].lineage.merge(r[i].lineage);
      l[i].direct = l[i].direct && r[i].direct;
    }
    return l;
  }
  Output all{"*", {}, true};
  for (const Output& o : l) all.lineage.merge(o.lineage);
  for (const Output& o : r) all.lineage.merge(o.lineage);
  return {std::move(all)};
}

bool is_output_name(Node* n, const std::vector<Output>& outs) {
  if (n == nullptr || !IsA(n, ColumnRef)) return false;
  List* fields = reinterpret_cast<::ColumnRef*>(n)->fields;
  if (list_length(fields) != 1 || !IsA(static_cast<Node*>(linitial(fields)), String)) return false;
  const std::string name = str_value(static_cast<Node*>(linitial(fields)));
  for (const Output& o : outs)
    if (o.name == name) return true;
  return false;
}

}  // namespace

void to_output_columns(const std::vector<Output>& outs, std::vector<OutputColumn>& dst) {
  dst.clear();
  for (const Output& o : outs)
    dst.push_back(OutputColumn{o.name, o.lineage.sources, o.lineage.opaque, o.star, o.direct});
}

RangeEntry ColumnWalker::table_entry(RangeVar* rv) {
  RangeEntry e;
  e.schema = or_empty(rv->schemaname);
  e.relname = or_empty(rv->relname);
  e.alias = rv->alias != nullptr ? or_empty(rv->alias->aliasname) : e.relname;
  if (rv->alias != nullptr) e.colnames = names_of(rv->alias->colnames);
  const CatalogRelation* rel = resolve_relation(catalog_, e.schema, e.relname, path_);
  if (rel != nullptr && rel->columns_known) e.rel = rel;
  e.access = access_for(rel != nullptr ? rel->schema : e.schema, e.relname, rel != nullptr);
  return e;
}

void ColumnWalker::with_clause(WithClause* w, const Scope* parent) {
  if (w == nullptr) return;
  for (ListCell* lc = list_head(w->ctes); lc; lc = lnext(w->ctes, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (!IsA(n, CommonTableExpr)) continue;
    auto* cte = castNode(CommonTableExpr, n);
    const std::vector<std::string> colnames = names_of(cte->aliascolnames);
    Node* q = cte->ctequery;
    auto* sel = q != nullptr && IsA(q, SelectStmt) ? castNode(SelectStmt, q) : nullptr;
    if (w->recursive && sel != nullptr && sel->op == SETOP_UNION && sel->larg && sel->rarg) {
      // The recursive arm may move any column anywhere: every output derives from all the
      // non-recursive arm's sources, then from all of the recursive arm's too.
      std::vector<Output> outs = select(sel->larg, parent);
      rename(outs, colnames);
      Lineage all;
      for (const Output& o : outs) all.merge(o.lineage);
      for (Output& o : outs) {
        o.lineage = all;
        o.direct = false;
      }
      const std::size_t idx = ctes_.size();
      ctes_.push_back({or_empty(cte->ctename), outs});
      for (const Output& o : select(sel->rarg, parent)) all.merge(o.lineage);
      for (Output& o : ctes_[idx].outputs) o.lineage = all;
      continue;
    }
    std::vector<Output> outs = statement_outputs(q, parent);
    rename(outs, colnames);
    ctes_.push_back({or_empty(cte->ctename), std::move(outs)});
  }
}

std::vector<Output> ColumnWalker::select(SelectStmt* s, const Scope* parent) {
  Depth d(depth_);
  if (s == nullptr || depth_ > kMaxDepth) return {};
  const std::size_t cte_mark = ctes_.size();
  with_clause(s->withClause, parent);
  std::vector<Output> outs;
  Scope sc{parent, {}, false};
  if (s->op != SETOP_NONE) {
    outs = set_operation(select(s->larg, parent), select(s->rarg, parent));
  } else if (s->valuesLists != nullptr) {
    for (ListCell* row = list_head(s->valuesLists); row; row = lnext(s->valuesLists, row)) {
      List* items = static_cast<List*>(lfirst(row));
      std::size_t i = 0;
      for (ListCell* lc = list_head(items); lc; lc = lnext(items, lc), ++i) {
        if (outs.size() <= i) outs.push_back(Output{"column" + std::to_string(i + 1), {}});
        expr(static_cast<Node*>(lfirst(lc)), sc, &outs[i].lineage);
      }
    }
  } else {
    for (ListCell* lc = list_head(s->fromClause); lc; lc = lnext(s->fromClause, lc))
      from_item(static_cast<Node*>(lfirst(lc)), sc);
    target_list(s->targetList, sc, outs);
    expr(s->whereClause, sc, nullptr);
    for (ListCell* lc = list_head(s->groupClause); lc; lc = lnext(s->groupClause, lc)) {
      auto* g = static_cast<Node*>(lfirst(lc));
      // GROUP BY prefers input columns; an output alias only when no input column matches.
      if (is_output_name(g, outs)) {
        const std::string name =
            str_value(static_cast<Node*>(linitial(reinterpret_cast<::ColumnRef*>(g)->fields)));
        bool input = false;
        for (const RangeEntry& e : sc.entries) input = input || has_column(e, name) != HasColumn::No;
        if (!input) continue;
      }
      expr(g, sc, nullptr);
    }
    expr(s->havingClause, sc, nullptr);
    expr_list(s->windowClause, sc, nullptr);
    expr_list(s->distinctClause, sc, nullptr);
  }
  for (ListCell* lc = list_head(s->sortClause); lc; lc = lnext(s->sortClause, lc)) {
    auto* sb = static_cast<Node*>(lfirst(lc));
    Node* key = IsA(sb, SortBy) ? castNode(SortBy, sb)->node : sb;
    if (is_output_name(key, outs)) continue;  // ORDER BY prefers result column names
    expr(key, sc, nullptr);
  }
  expr(s->limitOffset, sc, nullptr);
  expr(s->limitCount, sc, nullptr);
  ctes_.resize(cte_mark);
  return outs;
}

void ColumnWalker::target_list(List* targets, const Scope& sc, std::vector<Output>& outs) {
  for (ListCell* lc = list_head(targets); lc; lc = lnext(targets, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (!IsA(n, ResTarget)) continue;
    auto* rt = castNode(ResTarget, n);
    if (rt->val != nullptr && IsA(rt->val, ColumnRef) &&
        IsA(static_cast<Node*>(llast(reinterpret_cast<::ColumnRef*>(rt->val)->fields)), A_Star)) {
      auto* cr = reinterpret_cast<::ColumnRef*>(rt->val);
      if (list_length(cr->fields) == 1) {
        expand_star(sc, nullptr, outs);
        continue;
      }
      for (const Hit& h : lookup(cr, sc)) {
        if (h.whole_row) {
          // expand_star only looks at this level; outer entries are whole-row reads.
          bool here = false;
          for (const RangeEntry& e : sc.entries) here = here || &e == h.entry;
          if (here) {
            expand_star(sc, h.entry, outs);
            continue;
          }
        }
        Output o{"*", {}, true};
        record(h, false, &o.lineage);
        outs.push_back(std::move(o));
      }
      continue;
    }
    Output o{rt->name != nullptr ? rt->name : figure_colname(rt->val), {}};
    expr(rt->val, sc, &o.lineage);
    o.direct = plain_reference(rt->val, sc);
    outs.push_back(std::move(o));
  }
}

// A column reference that names exactly one column of one FROM item: a table's column, or
// a sub-select's / WITH query's output that is itself direct. Lookups have no side effects.
bool ColumnWalker::plain_reference(Node* val, const Scope& sc) const {
  if (val == nullptr) return false;
  std::vector<Hit> hits;
  std::string field;
  if (IsA(val, A_Indirection)) {  // (c).email: direct when c is a row and email its column
    auto* ai = reinterpret_cast<A_Indirection*>(val);
    if (list_length(ai->indirection) != 1) return false;
    auto h = field_hits(ai, sc, field);
    if (!h || h->size() != 1 || !h->front().field) return false;  // not a composite's field
    hits = std::move(*h);
  } else {
    if (!IsA(val, ColumnRef)) return false;
    auto* cr = reinterpret_cast<::ColumnRef*>(val);
    if (IsA(static_cast<Node*>(llast(cr->fields)), A_Star)) return false;
    hits = lookup(cr, sc);
  }
  if (hits.size() != 1 || hits.front().whole_row) return false;
  const Hit& h = hits.front();
  switch (h.entry->type) {
    case RangeEntry::Type::Table: return true;
    case RangeEntry::Type::Derived: {
      const Output* named = nullptr;
      for (const Output& o : h.entry->outputs) {
        if (o.name != h.column) continue;
        if (named != nullptr) return false;  // ambiguous: PostgreSQL refuses it anyway
        named = &o;
      }
      return named != nullptr && named->direct;
    }
    case RangeEntry::Type::Function:
    case RangeEntry::Type::Excluded: break;
  }
  return false;
}

void ColumnWalker::from_item(Node* n, Scope& sc) {
  Depth d(depth_);
  if (n == nullptr || depth_ > kMaxDepth) return;
  switch (nodeTag(n)) {
    case T_RangeVar: {
      auto* rv = castNode(RangeVar, n);
      const CteDef* cte = rv->schemaname == nullptr && rv->catalogname == nullptr
                              ? find_cte(or_empty(rv->relname))
                              : nullptr;
      if (cte == nullptr) {
        sc.entries.push_back(table_entry(rv));
        break;
      }
      RangeEntry e;
      e.type = RangeEntry::Type::Derived;
      e.alias = rv->alias != nullptr ? or_empty(rv->alias->aliasname) : cte->name;
      e.outputs = cte->outputs;
      if (rv->alias != nullptr) rename(e.outputs, names_of(rv->alias->colnames));
      sc.entries.push_back(std::move(e));
      break;
    }
    case T_JoinExpr: {
      auto* j = castNode(JoinExpr, n);
      const std::size_t mark = sc.entries.size();
      from_item(j->larg, sc);
      from_item(j->rarg, sc);
      if (j->usingClause != nullptr || j->isNatural) sc.merged_join = true;
      for (std::size_t i = mark; i < sc.entries.size(); ++i) {
        const RangeEntry& e = sc.entries[i];
        if (j->isNatural) read_all(e, nullptr);  // the common columns: all, conservatively
        for (ListCell* lc = list_head(j->usingClause); lc; lc = lnext(j->usingClause, lc)) {
          const std::string col = str_value(static_cast<Node*>(lfirst(lc)));
          if (has_column(e, col) != HasColumn::No) read_column(e, col, nullptr);
        }
      }
      expr(j->quals, sc, nullptr);
      break;
    }
    case T_RangeSubselect: {
      auto* rs = castNode(RangeSubselect, n);
      RangeEntry e;
      e.type = RangeEntry::Type::Derived;
      if (rs->subquery != nullptr && IsA(rs->subquery, SelectStmt))
        e.outputs = select(castNode(SelectStmt, rs->subquery), rs->lateral ? &sc : sc.parent);
      if (rs->alias != nullptr) {
        e.alias = or_empty(rs->alias->aliasname);
        rename(e.outputs, names_of(rs->alias->colnames));
      }
      sc.entries.push_back(std::move(e));
      break;
    }
    case T_RangeFunction: {
      auto* rf = castNode(RangeFunction, n);
      RangeEntry e;
      e.type = RangeEntry::Type::Function;
      for (ListCell* lc = list_head(rf->functions); lc; lc = lnext(rf->functions, lc)) {
        auto* pair = static_cast<List*>(lfirst(lc));
        if (pair == nullptr || !IsA(pair, List) || list_length(pair) < 1) continue;
        auto* fn = static_cast<Node*>(linitial(pair));
        expr(fn, sc, &e.lineage);  // functions in FROM are implicitly LATERAL
        if (e.alias.empty() && fn != nullptr && IsA(fn, FuncCall))
          e.alias = str_value(static_cast<Node*>(llast(castNode(FuncCall, fn)->funcname)));
        if (list_length(pair) >= 2)
          for (ListCell* c = list_head(static_cast<List*>(lsecond(pair))); c;
               c = lnext(static_cast<List*>(lsecond(pair)), c))
            if (IsA(static_cast<Node*>(lfirst(c)), ColumnDef))
              e.colnames.emplace_back(or_empty(castNode(ColumnDef, static_cast<Node*>(lfirst(c)))->colname));
      }
      for (ListCell* c = list_head(rf->coldeflist); c; c = lnext(rf->coldeflist, c))
        if (IsA(static_cast<Node*>(lfirst(c)), ColumnDef))
          e.colnames.emplace_back(or_empty(castNode(ColumnDef, static_cast<Node*>(lfirst(c)))->colname));
      if (rf->alias != nullptr) {
        e.alias = or_empty(rf->alias->aliasname);
        if (rf->alias->colnames != nullptr) e.colnames = names_of(rf->alias->colnames);
      }
      if (rf->ordinality && !e.colnames.empty()) e.colnames.emplace_back("ordinality");
      sc.entries.push_back(std::move(e));
      break;
    }
    case T_RangeTableSample: {
      auto* ts = castNode(RangeTableSample, n);
      from_item(ts->relation, sc);
      expr_list(ts->args, sc, nullptr);
      expr(ts->repeatable, sc, nullptr);
      break;
    }
    case T_RangeTableFunc: {
      auto* tf = castNode(RangeTableFunc, n);
      RangeEntry e;
      e.type = RangeEntry::Type::Function;
      expr(tf->docexpr, sc, &e.lineage);
      expr(tf->rowexpr, sc, &e.lineage);
      for (ListCell* lc = list_head(tf->columns); lc; lc = lnext(tf->columns, lc)) {
        auto* col = static_cast<Node*>(lfirst(lc));
        if (!IsA(col, RangeTableFuncCol)) continue;
        auto* c = castNode(RangeTableFuncCol, col);
        e.colnames.emplace_back(or_empty(c->colname));
        expr(c->colexpr, sc, &e.lineage);
        expr(c->coldefexpr, sc, &e.lineage);
      }
      if (tf->alias != nullptr) e.alias = or_empty(tf->alias->aliasname);
      sc.entries.push_back(std::move(e));
      break;
    }
    default:
      break;
  }
}

}  // namespace airlock::sql::pg
