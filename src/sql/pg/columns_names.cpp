// Default names of result columns, after PostgreSQL's FigureColname (parser/parse_target.c).
#include "sql/pg/columns.hpp"
#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {
namespace {

constexpr const char* kNoName = "?column?";

const char* sql_value_function_name(SQLValueFunctionOp op) {
  switch (op) {
    case SVFOP_CURRENT_DATE: return "current_date";
    case SVFOP_CURRENT_TIME:
    case SVFOP_CURRENT_TIME_N: return "current_time";
    case SVFOP_CURRENT_TIMESTAMP:
    case SVFOP_CURRENT_TIMESTAMP_N: return "current_timestamp";
    case SVFOP_LOCALTIME:
    case SVFOP_LOCALTIME_N: return "localtime";
    case SVFOP_LOCALTIMESTAMP:
    case SVFOP_LOCALTIMESTAMP_N: return "localtimestamp";
    case SVFOP_CURRENT_ROLE: return "current_role";
    case SVFOP_CURRENT_USER: return "current_user";
    case SVFOP_USER: return "user";
    case SVFOP_SESSION_USER: return "session_user";
    case SVFOP_CURRENT_CATALOG: return "current_catalog";
    case SVFOP_CURRENT_SCHEMA: return "current_schema";
  }
  return kNoName;
}

}  // namespace

std::string figure_colname(const Node* n) {
  if (n == nullptr) return kNoName;
  switch (nodeTag(n)) {
    case T_ColumnRef: {
      auto* last = static_cast<Node*>(llast(reinterpret_cast<const ::ColumnRef*>(n)->fields));
      return IsA(last, String) ? str_value(last) : kNoName;
    }
    case T_A_Indirection: {
      auto* ai = reinterpret_cast<const A_Indirection*>(n);
      for (int i = list_length(ai->indirection) - 1; i >= 0; --i) {
        auto* item = static_cast<Node*>(list_nth(ai->indirection, i));
        if (IsA(item, String)) return str_value(item);
      }
      return figure_colname(ai->arg);
    }
    case T_FuncCall:
      return str_value(static_cast<Node*>(llast(reinterpret_cast<const FuncCall*>(n)->funcname)));
    case T_A_Expr:
      return reinterpret_cast<const A_Expr*>(n)->kind == AEXPR_NULLIF ? "nullif" : kNoName;
    case T_TypeCast: {
      auto* tc = reinterpret_cast<const TypeCast*>(n);
      std::string inner = figure_colname(tc->arg);
      if (inner != kNoName || tc->typeName == nullptr) return inner;
      return str_value(static_cast<Node*>(llast(tc->typeName->names)));
    }
    case T_CollateClause: return figure_colname(reinterpret_cast<const CollateClause*>(n)->arg);
    case T_SubLink: {
      auto* sl = reinterpret_cast<const SubLink*>(n);
      if (sl->subLinkType == EXISTS_SUBLINK) return "exists";
      if (sl->subLinkType == ARRAY_SUBLINK) return "array";
      if (sl->subLinkType == EXPR_SUBLINK && sl->subselect != nullptr &&
          IsA(sl->subselect, SelectStmt)) {
        List* tl = reinterpret_cast<const SelectStmt*>(sl->subselect)->targetList;
        if (list_length(tl) >= 1 && IsA(static_cast<Node*>(linitial(tl)), ResTarget)) {
          auto* rt = static_cast<ResTarget*>(linitial(tl));
          return rt->name != nullptr ? rt->name : figure_colname(rt->val);
        }
      }
      return kNoName;
    }
    case T_CaseExpr: return "case";
    case T_A_ArrayExpr: return "array";
    case T_RowExpr: return "row";
    case T_CoalesceExpr: return "coalesce";
    case T_GroupingFunc: return "grouping";
    case T_MinMaxExpr:
      return reinterpret_cast<const MinMaxExpr*>(n)->op == IS_GREATEST ? "greatest" : "least";
    case T_SQLValueFunction:
      return sql_value_function_name(reinterpret_cast<const SQLValueFunction*>(n)->op);
    case T_XmlSerialize: return "xmlserialize";
    default: return kNoName;
  }
}

}  // namespace airlock::sql::pg
