// Expressions: every FuncCall anywhere, sub-selects in expressions (SubLink), and the
// value-only nodes that need no walk. Unknown expression nodes mark the statement
// unsupported.
#include "sql/pg/const_eval.hpp"
#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {

void Translator::function(List* name, List* args, FunctionSite site, int location) {
  FunctionRef fr;
  const int parts = list_length(name);
  if (parts < 1 || parts > 3) return unsupported("function name with unexpected parts");
  fr.name = str_value(static_cast<Node*>(llast(name)));
  if (parts >= 2) fr.schema = str_value(static_cast<Node*>(list_nth(name, parts - 2)));
  if (parts == 3) fr.catalog = str_value(static_cast<Node*>(linitial(name)));
  fr.arg_count = list_length(args);
  fr.literal_args.reserve(static_cast<std::size_t>(fr.arg_count));
  for (ListCell* lc = list_head(args); lc; lc = lnext(args, lc))
    fr.literal_args.push_back(literal_text(static_cast<Node*>(lfirst(lc))));
  fr.site = site;
  fr.location = location;
  f_.functions.push_back(std::move(fr));
}

void Translator::expr_list(List* l) {
  for (ListCell* lc = list_head(l); lc; lc = lnext(l, lc)) expr(static_cast<Node*>(lfirst(lc)));
}

void Translator::type_name(TypeName* t) {
  if (t != nullptr) expr_list(t->typmods);  // the grammar accepts expressions as typmods
}

void Translator::expr(Node* n) {
  auto g = enter();
  if (!g.ok || n == nullptr) return;
  switch (nodeTag(n)) {
    case T_List: expr_list(castNode(List, n)); break;
    case T_A_Expr: {
      auto* e = castNode(A_Expr, n);
      expr(e->lexpr);
      expr(e->rexpr);
      break;
    }
    case T_BoolExpr: expr_list(castNode(BoolExpr, n)->args); break;
    case T_FuncCall: {
      auto* fc = castNode(FuncCall, n);
      function(fc->funcname, fc->args, site_, fc->location);
      expr_list(fc->args);
      expr_list(fc->agg_order);
      expr(fc->agg_filter);
      expr(reinterpret_cast<Node*>(fc->over));
      break;
    }
    case T_SubLink: {
      auto* sl = castNode(SubLink, n);
      expr(sl->testexpr);
      Scope sub(in_subquery_);
      if (sl->subselect != nullptr && IsA(sl->subselect, SelectStmt))
        select(castNode(SelectStmt, sl->subselect));
      else
        unsupported_node("sub-select", sl->subselect);
      break;
    }
    case T_TypeCast: {
      auto* tc = castNode(TypeCast, n);
      expr(tc->arg);
      type_name(tc->typeName);
      break;
    }
    case T_TypeName: type_name(castNode(TypeName, n)); break;
    case T_CollateClause: expr(castNode(CollateClause, n)->arg); break;
    case T_A_Indirection: {
      auto* ai = castNode(A_Indirection, n);
      expr(ai->arg);
      expr_list(ai->indirection);
      break;
    }
    case T_A_Indices: {
      auto* ai = castNode(A_Indices, n);
      expr(ai->lidx);
      expr(ai->uidx);
      break;
    }
    case T_A_ArrayExpr: expr_list(castNode(A_ArrayExpr, n)->elements); break;
    case T_RowExpr: expr_list(castNode(RowExpr, n)->args); break;
    case T_CaseExpr: {
      auto* c = castNode(CaseExpr, n);
      expr(reinterpret_cast<Node*>(c->arg));
      expr_list(c->args);
      expr(reinterpret_cast<Node*>(c->defresult));
      break;
    }
    case T_CaseWhen: {
      auto* w = castNode(CaseWhen, n);
      expr(reinterpret_cast<Node*>(w->expr));
      expr(reinterpret_cast<Node*>(w->result));
      break;
    }
    case T_CoalesceExpr: expr_list(castNode(CoalesceExpr, n)->args); break;
    case T_MinMaxExpr: expr_list(castNode(MinMaxExpr, n)->args); break;
    case T_NullTest: expr(reinterpret_cast<Node*>(castNode(NullTest, n)->arg)); break;
    case T_BooleanTest: expr(reinterpret_cast<Node*>(castNode(BooleanTest, n)->arg)); break;
    case T_XmlExpr: {
      auto* x = castNode(XmlExpr, n);
      expr_list(x->named_args);
      expr_list(x->args);
      break;
    }
    case T_XmlSerialize: {
      auto* x = castNode(XmlSerialize, n);
      expr(x->expr);
      type_name(x->typeName);
      break;
    }
    case T_GroupingFunc: expr_list(castNode(GroupingFunc, n)->args); break;
    case T_GroupingSet: expr_list(castNode(GroupingSet, n)->content); break;
    case T_ResTarget: {
      auto* rt = castNode(ResTarget, n);
      expr_list(rt->indirection);
      expr(rt->val);
      break;
    }
    case T_NamedArgExpr: expr(reinterpret_cast<Node*>(castNode(NamedArgExpr, n)->arg)); break;
    case T_MultiAssignRef: expr(castNode(MultiAssignRef, n)->source); break;
    case T_SortBy: expr(castNode(SortBy, n)->node); break;
    case T_WindowDef: {
      auto* w = castNode(WindowDef, n);
      expr_list(w->partitionClause);
      expr_list(w->orderClause);
      expr(w->startOffset);
      expr(w->endOffset);
      break;
    }
    case T_ColumnRef:
    case T_ParamRef:
    case T_A_Const:
    case T_A_Star:
    case T_String:
    case T_Integer:
    case T_Float:
    case T_Boolean:
    case T_BitString:
    case T_SQLValueFunction:
    case T_SetToDefault:
    case T_CurrentOfExpr:
      break;  // values and references: nothing to collect
    default: unsupported_node("expression", n); break;
  }
}

}  // namespace airlock::sql::pg
