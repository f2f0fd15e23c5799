// Small readers for PostgreSQL value nodes, shared by the translator files.
#include <string>

#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {

const char* or_empty(const char* s) { return s != nullptr ? s : ""; }

std::string str_value(const Node* n) {
  if (n == nullptr) return {};
  switch (nodeTag(n)) {
    case T_String: return or_empty(castNode(String, const_cast<Node*>(n))->sval);
    case T_Integer: return std::to_string(intVal(n));
    case T_Float: return or_empty(castNode(Float, const_cast<Node*>(n))->fval);
    case T_Boolean: return boolVal(n) ? "true" : "false";
    case T_BitString: return or_empty(castNode(BitString, const_cast<Node*>(n))->bsval);
    default: return {};
  }
}

std::string const_text(const Node* n) {
  if (n == nullptr) return {};
  if (IsA(n, A_Const)) {
    const auto* c = reinterpret_cast<const A_Const*>(n);
    if (c->isnull) return "NULL";
    return str_value(&c->val.node);
  }
  if (IsA(n, TypeCast)) return const_text(reinterpret_cast<const TypeCast*>(n)->arg);
  return str_value(n);
}

std::string join_names(List* l, char sep) {
  std::string out;
  for (ListCell* lc = list_head(l); lc; lc = lnext(l, lc)) {
    if (!out.empty()) out += sep;
    out += str_value(static_cast<Node*>(lfirst(lc)));
  }
  return out;
}

void Translator::unsupported(std::string_view what) {
  if (!f_.unsupported_reason.empty()) return;  // the first reason is the useful one
  f_.unsupported_reason.assign(what);
}

void Translator::unsupported_node(std::string_view where, const Node* n) {
  if (!f_.unsupported_reason.empty()) return;
  f_.unsupported_reason = std::string("unsupported ") + std::string(where) + " node (tag " +
                          std::to_string(n != nullptr ? static_cast<int>(nodeTag(n)) : 0) + ")";
}

}  // namespace airlock::sql::pg
