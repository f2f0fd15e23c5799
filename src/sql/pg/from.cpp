// FROM-clause items: tables, joins, sub-selects, set-returning functions, TABLESAMPLE,
// XMLTABLE. Also the RangeVar -> RelationRef conversion used by every statement family.
#include <algorithm>

#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {

void Translator::relation(RangeVar* rv, AccessMode mode, bool in_from) {
  if (rv == nullptr) return;
  RelationRef r;
  r.catalog = or_empty(rv->catalogname);
  r.schema = or_empty(rv->schemaname);
  r.name = or_empty(rv->relname);
  r.mode = mode;
  r.in_cte = in_cte_ > 0;
  r.in_subquery = in_subquery_ > 0;
  r.location = rv->location;
  // CREATE TEMP ...: the new relation lives in the session's temporary schema, which
  // PostgreSQL searches first for relations, so it shadows any table of that name.
  if (rv->relpersistence == 't' && r.schema.empty()) r.schema = "pg_temp";  // TEMP
  if (in_from && r.schema.empty() && r.catalog.empty())
    r.cte_reference = std::find(cte_names_.begin(), cte_names_.end(), r.name) != cte_names_.end();
  f_.relations.push_back(std::move(r));
}

void Translator::from_list(List* items) {
  if (items != nullptr) f_.has_from = true;
  for (ListCell* lc = list_head(items); lc; lc = lnext(items, lc))
    from_item(static_cast<Node*>(lfirst(lc)));
}

void Translator::from_item(Node* n) {
  auto g = enter();
  if (!g.ok || n == nullptr) return;
  switch (nodeTag(n)) {
    case T_RangeVar:
      relation(castNode(RangeVar, n), AccessMode::Read, true);
      break;
    case T_JoinExpr: {
      auto* j = castNode(JoinExpr, n);
      from_item(j->larg);
      from_item(j->rarg);
      expr(j->quals);
      break;
    }
    case T_RangeSubselect: {
      auto* rs = castNode(RangeSubselect, n);
      Scope sub(in_subquery_);
      if (rs->subquery != nullptr && IsA(rs->subquery, SelectStmt))
        select(castNode(SelectStmt, rs->subquery));
      else
        unsupported_node("FROM subquery", rs->subquery);
      break;
    }
    case T_RangeFunction: {
      auto* rf = castNode(RangeFunction, n);
      for (ListCell* lc = list_head(rf->functions); lc; lc = lnext(rf->functions, lc)) {
        // Each item is a two-element list: (function expression, column definitions).
        auto* pair = static_cast<List*>(lfirst(lc));
        if (pair == nullptr || !IsA(pair, List) || list_length(pair) < 1) {
          unsupported("malformed FROM function");
          continue;
        }
        auto* fn = static_cast<Node*>(linitial(pair));
        if (fn != nullptr && IsA(fn, FuncCall)) {
          auto* fc = castNode(FuncCall, fn);
          function(fc->funcname, fc->args, FunctionSite::FromClause, fc->location);
          expr_list(fc->args);
          expr_list(fc->agg_order);
          expr(fc->agg_filter);
          expr(reinterpret_cast<Node*>(fc->over));
        } else {
          expr(fn);  // e.g. FROM CURRENT_DATE, FROM CAST(...)
        }
      }
      break;
    }
    case T_RangeTableSample: {
      auto* ts = castNode(RangeTableSample, n);
      from_item(ts->relation);
      expr_list(ts->args);
      expr(ts->repeatable);
      break;
    }
    case T_RangeTableFunc: {
      auto* tf = castNode(RangeTableFunc, n);
      expr(tf->docexpr);
      expr(tf->rowexpr);
      expr_list(tf->namespaces);
      for (ListCell* lc = list_head(tf->columns); lc; lc = lnext(tf->columns, lc)) {
        auto* col = static_cast<Node*>(lfirst(lc));
        if (!IsA(col, RangeTableFuncCol)) {
          unsupported_node("XMLTABLE column", col);
          continue;
        }
        expr(castNode(RangeTableFuncCol, col)->colexpr);
        expr(castNode(RangeTableFuncCol, col)->coldefexpr);
      }
      break;
    }
    default:
      unsupported_node("FROM item", n);
      break;
  }
}

}  // namespace airlock::sql::pg
