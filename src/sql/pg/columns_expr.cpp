// Expressions for the column walk: every column reference is a read, attributed through the
// scopes; with `out`, the columns the expression's value derives from.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/pg/columns.hpp"
#include "sql/pg/translator.hpp"
#include "sql/resolve.hpp"

namespace airlock::sql::pg {
namespace {

// pg_catalog functions that run SQL text or read whole relations given as arguments: their
// results may hold any column.
bool runs_sql(std::string_view name) {
  static constexpr std::array<std::string_view, 4> kPrefixes = {
      "query_to_xml", "table_to_xml", "cursor_to_xml", "schema_to_xml"};
  for (std::string_view p : kPrefixes)
    if (name.starts_with(p)) return true;
  return name.starts_with("database_to_xml") || name == "ts_stat" || name == "dblink";
}

}  // namespace

bool ColumnWalker::function_is_transparent(List* funcname, int nargs) const {
  const int parts = list_length(funcname);
  if (parts < 1 || parts > 3) return false;
  const std::string name = str_value(static_cast<Node*>(llast(funcname)));
  const std::string schema =
      parts >= 2 ? str_value(static_cast<Node*>(list_nth(funcname, parts - 2))) : std::string();
  const auto m = resolve_function(catalog_, schema, name, nargs, path_);
  return m && m->schema == "pg_catalog" && !runs_sql(name);
}

std::optional<std::vector<Hit>> ColumnWalker::field_hits(A_Indirection* ai, const Scope& sc,
                                                         std::string& field) const {
  if (ai->arg == nullptr || !IsA(ai->arg, ColumnRef) || list_length(ai->indirection) < 1)
    return std::nullopt;
  auto* first = static_cast<Node*>(linitial(ai->indirection));
  if (!IsA(first, String)) return std::nullopt;  // a subscript or .*: the whole value
  std::vector<Hit> hits = lookup(reinterpret_cast<::ColumnRef*>(ai->arg), sc);
  field = str_value(first);
  for (Hit& h : hits) {
    if (!h.whole_row) continue;  // a composite column: reading it reads all of it
    h.whole_row = false;
    h.field = true;
    h.column = field;
  }
  return hits;
}

void ColumnWalker::expr_list(List* l, const Scope& sc, Lineage* out) {
  for (ListCell* lc = list_head(l); lc; lc = lnext(l, lc))
    expr(static_cast<Node*>(lfirst(lc)), sc, out);
}

void ColumnWalker::expr(Node* n, const Scope& sc, Lineage* out) {
  Depth d(depth_);
  if (n == nullptr || depth_ > kMaxDepth) return;
  switch (nodeTag(n)) {
    case T_ColumnRef: {
      const std::vector<Hit> hits = lookup(reinterpret_cast<::ColumnRef*>(n), sc);
      for (const Hit& h : hits) record(h, hits.size() == 1, out);
      break;
    }
    case T_List: expr_list(castNode(List, n), sc, out); break;
    case T_A_Expr: {
      auto* e = castNode(A_Expr, n);
      expr(e->lexpr, sc, out);
      expr(e->rexpr, sc, out);
      break;
    }
    case T_BoolExpr: expr_list(castNode(BoolExpr, n)->args, sc, out); break;
    case T_FuncCall: {
      auto* fc = castNode(FuncCall, n);
      if (out != nullptr && !function_is_transparent(fc->funcname, list_length(fc->args)))
        out->opaque = true;
      expr_list(fc->args, sc, out);
      expr_list(fc->agg_order, sc, out);
      expr(fc->agg_filter, sc, out);
      expr(reinterpret_cast<Node*>(fc->over), sc, out);
      break;
    }
    case T_NamedArgExpr: expr(reinterpret_cast<Node*>(castNode(NamedArgExpr, n)->arg), sc, out); break;
    case T_SubLink: {
      auto* sl = castNode(SubLink, n);
      expr(sl->testexpr, sc, out);
      if (sl->subselect == nullptr) break;
      for (const Output& o : statement_outputs(sl->subselect, &sc))
        if (out != nullptr) out->merge(o.lineage);
      break;
    }
    case T_TypeCast: expr(castNode(TypeCast, n)->arg, sc, out); break;
    case T_CollateClause: expr(castNode(CollateClause, n)->arg, sc, out); break;
    case T_A_Indirection: {
      auto* ai = castNode(A_Indirection, n);
      std::string field;
      if (const auto hits = field_hits(ai, sc, field)) {
        // (c).email, (t.*).email: only that column of the row is read.
        for (const Hit& h : *hits) record(h, hits->size() == 1, out);
      } else {
        expr(ai->arg, sc, out);
      }
      expr_list(ai->indirection, sc, out);
      break;
    }
    case T_A_Indices: {
      auto* ai = castNode(A_Indices, n);
      expr(ai->lidx, sc, out);
      expr(ai->uidx, sc, out);
      break;
    }
    case T_A_ArrayExpr: expr_list(castNode(A_ArrayExpr, n)->elements, sc, out); break;
    case T_RowExpr: expr_list(castNode(RowExpr, n)->args, sc, out); break;
    case T_CaseExpr: {
      auto* c = castNode(CaseExpr, n);
      expr(reinterpret_cast<Node*>(c->arg), sc, out);
      expr_list(c->args, sc, out);
      expr(reinterpret_cast<Node*>(c->defresult), sc, out);
      break;
    }
    case T_CaseWhen: {
      auto* w = castNode(CaseWhen, n);
      expr(reinterpret_cast<Node*>(w->expr), sc, out);
      expr(reinterpret_cast<Node*>(w->result), sc, out);
      break;
    }
    case T_CoalesceExpr: expr_list(castNode(CoalesceExpr, n)->args, sc, out); break;
    case T_MinMaxExpr: expr_list(castNode(MinMaxExpr, n)->args, sc, out); break;
    case T_NullTest: expr(reinterpret_cast<Node*>(castNode(NullTest, n)->arg), sc, out); break;
    case T_BooleanTest: expr(reinterpret_cast<Node*>(castNode(BooleanTest, n)->arg), sc, out); break;
    case T_XmlExpr: {
      auto* x = castNode(XmlExpr, n);
      expr_list(x->named_args, sc, out);
      expr_list(x->args, sc, out);
      break;
    }
    case T_XmlSerialize: expr(castNode(XmlSerialize, n)->expr, sc, out); break;
    case T_GroupingFunc: expr_list(castNode(GroupingFunc, n)->args, sc, out); break;
    case T_GroupingSet: expr_list(castNode(GroupingSet, n)->content, sc, out); break;
    case T_ResTarget: {
      auto* rt = castNode(ResTarget, n);
      expr_list(rt->indirection, sc, out);
      expr(rt->val, sc, out);
      break;
    }
    case T_MultiAssignRef: expr(castNode(MultiAssignRef, n)->source, sc, out); break;
    case T_SortBy: expr(castNode(SortBy, n)->node, sc, out); break;
    case T_WindowDef: {
      auto* w = castNode(WindowDef, n);
      expr_list(w->partitionClause, sc, out);
      expr_list(w->orderClause, sc, out);
      expr(w->startOffset, sc, out);
      expr(w->endOffset, sc, out);
      break;
    }
    default:
      break;  // constants, parameters, SQL value functions
  }
}

}  // namespace airlock::sql::pg
