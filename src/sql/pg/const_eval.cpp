// Constant folding for WHERE-shape analysis and literal function arguments (const_eval.hpp).
#include "sql/pg/const_eval.hpp"

#include <charconv>
#include <string_view>

#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {
namespace {

using Kind = ConstValue::Kind;
constexpr int kMaxFoldDepth = 2000;

ConstValue unknown() { return {}; }
ConstValue null_value() { return {Kind::Null}; }
ConstValue boolean(bool b) { return {Kind::Bool, b}; }
ConstValue integer(std::int64_t i) { return {Kind::Int, false, i}; }
ConstValue text(std::string s) { return {Kind::Text, false, 0, std::move(s)}; }

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(std::string_view s) {
  if (s == "t" || s == "true" || s == "y" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "f" || s == "false" || s == "n" || s == "no" || s == "off" || s == "0") return false;
  return std::nullopt;
}

ConstValue fold(const Node* n, int depth);

ConstValue cast(const ConstValue& v, const TypeName* t) {
  if (t == nullptr || v.kind == Kind::Unknown || v.kind == Kind::Null) return v;
  const std::string type = str_value(static_cast<Node*>(llast(t->names)));
  if (t->arrayBounds != nullptr) return unknown();
  if (type == "bool") {
    if (v.kind == Kind::Bool) return v;
    if (v.kind == Kind::Int) return boolean(v.i != 0);
    if (v.kind == Kind::Text)
      if (auto b = parse_bool(v.s)) return boolean(*b);
    return unknown();
  }
  if (type == "int2" || type == "int4" || type == "int8") {
    if (v.kind == Kind::Int) return v;
    if (v.kind == Kind::Text)
      if (auto i = parse_int(v.s)) return integer(*i);
    return unknown();
  }
  if (type == "text" && t->typmods == nullptr) {
    if (v.kind == Kind::Text) return v;
    if (v.kind == Kind::Int) return text(std::to_string(v.i));
    if (v.kind == Kind::Bool) return text(v.b ? "true" : "false");
  }
  return unknown();
}

// Brings an untyped string literal to the other side's type, as PostgreSQL's operator
// resolution does for `'1' = 1`.
bool unify(ConstValue& a, ConstValue& b) {
  if (a.kind == b.kind) return true;
  if (a.kind == Kind::Text && b.kind == Kind::Int) {
    auto i = parse_int(a.s);
    if (!i) return false;
    a = integer(*i);
    return true;
  }
  if (a.kind == Kind::Text && b.kind == Kind::Bool) {
    auto v = parse_bool(a.s);
    if (!v) return false;
    a = boolean(*v);
    return true;
  }
  if (b.kind == Kind::Text) return unify(b, a);
  return false;
}

ConstValue compare(std::string_view op, ConstValue a, ConstValue b) {
  if (a.kind == Kind::Null || b.kind == Kind::Null) return null_value();
  if (!unify(a, b)) return unknown();
  int c = 0;
  if (a.kind == Kind::Int) c = a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  else if (a.kind == Kind::Bool) c = a.b == b.b ? 0 : (a.b ? 1 : -1);
  else if (a.kind == Kind::Text) {
    if (op != "=" && op != "<>" && op != "!=") return unknown();  // collation-dependent
    c = a.s == b.s ? 0 : 1;
  } else {
    return unknown();
  }
  if (op == "=") return boolean(c == 0);
  if (op == "<>" || op == "!=") return boolean(c != 0);
  if (op == "<") return boolean(c < 0);
  if (op == ">") return boolean(c > 0);
  if (op == "<=") return boolean(c <= 0);
  if (op == ">=") return boolean(c >= 0);
  return unknown();
}

ConstValue arithmetic(std::string_view op, const ConstValue& a, const ConstValue& b) {
  if (a.kind == Kind::Null || b.kind == Kind::Null) return null_value();
  if (op == "||" && (a.kind == Kind::Text || b.kind == Kind::Text) &&
      (a.kind == Kind::Text || a.kind == Kind::Int) && (b.kind == Kind::Text || b.kind == Kind::Int))
    return text((a.kind == Kind::Int ? std::to_string(a.i) : a.s) +
                (b.kind == Kind::Int ? std::to_string(b.i) : b.s));
  if (a.kind != Kind::Int || b.kind != Kind::Int) return unknown();
  std::int64_t r = 0;
  bool overflow = false;
  if (op == "+") overflow = __builtin_add_overflow(a.i, b.i, &r);
  else if (op == "-") overflow = __builtin_sub_overflow(a.i, b.i, &r);
  else if (op == "*") overflow = __builtin_mul_overflow(a.i, b.i, &r);
  else return unknown();
  return overflow ? unknown() : integer(r);
}

ConstValue logic_and(const ConstValue& a, const ConstValue& b) {
  if ((a.kind == Kind::Bool && !a.b) || (b.kind == Kind::Bool && !b.b)) return boolean(false);
  if (a.kind == Kind::Unknown || b.kind == Kind::Unknown) return unknown();
  if (a.kind == Kind::Null || b.kind == Kind::Null) return null_value();
  return boolean(true);
}

ConstValue logic_or(const ConstValue& a, const ConstValue& b) {
  if (a.is_true() || b.is_true()) return boolean(true);
  if (a.kind == Kind::Unknown || b.kind == Kind::Unknown) return unknown();
  if (a.kind == Kind::Null || b.kind == Kind::Null) return null_value();
  return boolean(false);
}

ConstValue fold_a_expr(const A_Expr* e, int depth) {
  const std::string op = list_length(e->name) == 1 ? str_value(static_cast<Node*>(linitial(e->name)))
                                                   : std::string();
  switch (e->kind) {
    case AEXPR_OP: {
      ConstValue r = fold(e->rexpr, depth);
      if (e->lexpr == nullptr) {
        if (op == "-" && r.kind == Kind::Int && r.i != INT64_MIN) return integer(-r.i);
        if (op == "+" && r.kind == Kind::Int) return r;
        return unknown();
      }
      ConstValue l = fold(e->lexpr, depth);
      if (!l.known() || !r.known()) return unknown();
      ConstValue c = compare(op, l, r);
      return c.known() ? c : arithmetic(op, l, r);
    }
    case AEXPR_DISTINCT:
    case AEXPR_NOT_DISTINCT: {
      ConstValue l = fold(e->lexpr, depth), r = fold(e->rexpr, depth);
      if (!l.known() || !r.known()) return unknown();
      bool same;
      if (l.kind == Kind::Null || r.kind == Kind::Null) {
        same = l.kind == r.kind;
      } else {
        ConstValue c = compare("=", l, r);
        if (!c.known()) return unknown();
        same = c.b;
      }
      return boolean(e->kind == AEXPR_NOT_DISTINCT ? same : !same);
    }
    case AEXPR_IN: {
      if (e->rexpr == nullptr || !IsA(e->rexpr, List)) return unknown();
      const ConstValue l = fold(e->lexpr, depth);
      const bool in = op == "=";
      ConstValue acc = boolean(!in);
      List* items = castNode(List, e->rexpr);
      for (ListCell* lc = list_head(items); lc; lc = lnext(items, lc)) {
        ConstValue c = compare(in ? "=" : "<>", l, fold(static_cast<Node*>(lfirst(lc)), depth));
        acc = in ? logic_or(acc, c) : logic_and(acc, c);
      }
      return acc;
    }
    default:
      return unknown();
  }
}

ConstValue fold_case(const CaseExpr* c, int depth) {
  if (c->arg != nullptr) return unknown();
  // WHEN conditions in order; if one cannot be folded, the result is still known when every
  // remaining branch (ELSE included) folds to the same value.
  for (ListCell* lc = list_head(c->args); lc; lc = lnext(c->args, lc)) {
    auto* w = castNode(CaseWhen, static_cast<Node*>(lfirst(lc)));
    const ConstValue cond = fold(reinterpret_cast<Node*>(w->expr), depth);
    if (cond.is_true()) return fold(reinterpret_cast<Node*>(w->result), depth);
    if (cond.known()) continue;
    const ConstValue first = fold(reinterpret_cast<Node*>(w->result), depth);
    if (first.kind != Kind::Bool) return unknown();
    for (ListCell* rc = lc; rc; rc = lnext(c->args, rc)) {
      auto* rw = castNode(CaseWhen, static_cast<Node*>(lfirst(rc)));
      const ConstValue v = fold(reinterpret_cast<Node*>(rw->result), depth);
      if (v.kind != Kind::Bool || v.b != first.b) return unknown();
    }
    const ConstValue d = c->defresult != nullptr ? fold(reinterpret_cast<Node*>(c->defresult), depth)
                                                 : null_value();
    return d.kind == Kind::Bool && d.b == first.b ? first : unknown();
  }
  return c->defresult != nullptr ? fold(reinterpret_cast<Node*>(c->defresult), depth) : null_value();
}

ConstValue fold(const Node* n, int depth) {
  if (n == nullptr || ++depth > kMaxFoldDepth) return unknown();
  switch (nodeTag(n)) {
    case T_A_Const: {
      const auto* c = reinterpret_cast<const A_Const*>(n);
      if (c->isnull) return null_value();
      switch (nodeTag(&c->val.node)) {
        case T_Integer: return integer(intVal(&c->val.node));
        case T_Boolean: return boolean(boolVal(&c->val.node));
        case T_String: return text(str_value(&c->val.node));
        case T_Float: return {Kind::Numeric, false, 0, str_value(&c->val.node)};
        default: return unknown();
      }
    }
    case T_TypeCast: {
      const auto* tc = reinterpret_cast<const TypeCast*>(n);
      return cast(fold(tc->arg, depth), tc->typeName);
    }
    case T_A_Expr: return fold_a_expr(reinterpret_cast<const A_Expr*>(n), depth);
    case T_BoolExpr: {
      const auto* b = reinterpret_cast<const BoolExpr*>(n);
      if (b->boolop == NOT_EXPR) {
        const ConstValue v = fold(static_cast<Node*>(linitial(b->args)), depth);
        if (v.kind == Kind::Bool) return boolean(!v.b);
        return v.kind == Kind::Null ? v : unknown();
      }
      ConstValue acc = boolean(b->boolop == AND_EXPR);
      for (ListCell* lc = list_head(b->args); lc; lc = lnext(b->args, lc)) {
        const ConstValue v = fold(static_cast<Node*>(lfirst(lc)), depth);
        acc = b->boolop == AND_EXPR ? logic_and(acc, v) : logic_or(acc, v);
      }
      return acc;
    }
    case T_NullTest: {
      const auto* t = reinterpret_cast<const NullTest*>(n);
      const ConstValue v = fold(reinterpret_cast<Node*>(t->arg), depth);
      if (!v.known()) return unknown();
      if (t->argisrow && v.kind != Kind::Null) return unknown();
      const bool is_null = v.kind == Kind::Null;
      return boolean(t->nulltesttype == IS_NULL ? is_null : !is_null);
    }
    case T_BooleanTest: {
      const auto* t = reinterpret_cast<const BooleanTest*>(n);
      const ConstValue v = fold(reinterpret_cast<Node*>(t->arg), depth);
      if (v.kind != Kind::Bool && v.kind != Kind::Null) return unknown();
      const bool is_t = v.kind == Kind::Bool && v.b, is_f = v.kind == Kind::Bool && !v.b;
      switch (t->booltesttype) {
        case IS_TRUE: return boolean(is_t);
        case IS_NOT_TRUE: return boolean(!is_t);
        case IS_FALSE: return boolean(is_f);
        case IS_NOT_FALSE: return boolean(!is_f);
        case IS_UNKNOWN: return boolean(v.kind == Kind::Null);
        case IS_NOT_UNKNOWN: return boolean(v.kind != Kind::Null);
      }
      return unknown();
    }
    case T_CoalesceExpr: {
      const auto* c = reinterpret_cast<const CoalesceExpr*>(n);
      for (ListCell* lc = list_head(c->args); lc; lc = lnext(c->args, lc)) {
        ConstValue v = fold(static_cast<Node*>(lfirst(lc)), depth);
        if (v.kind != Kind::Null) return v;  // the first non-NULL, or Unknown
      }
      return null_value();
    }
    case T_CaseExpr: return fold_case(reinterpret_cast<const CaseExpr*>(n), depth);
    default: return unknown();
  }
}

}  // namespace

ConstValue fold_constant(const Node* n) { return fold(n, 0); }

std::optional<std::string> literal_text(const Node* n) {
  if (n != nullptr && IsA(n, NamedArgExpr))
    n = reinterpret_cast<const Node*>(reinterpret_cast<const NamedArgExpr*>(n)->arg);
  while (n != nullptr && IsA(n, TypeCast)) n = reinterpret_cast<const TypeCast*>(n)->arg;
  if (n != nullptr && (IsA(n, String) || IsA(n, Integer) || IsA(n, Float)))
    return str_value(n);  // trigger arguments
  const ConstValue v = fold_constant(n);
  switch (v.kind) {
    case Kind::Int: return std::to_string(v.i);
    case Kind::Bool: return v.b ? "true" : "false";
    case Kind::Text:
    case Kind::Numeric: return v.s;
    default: return std::nullopt;
  }
}

}  // namespace airlock::sql::pg
