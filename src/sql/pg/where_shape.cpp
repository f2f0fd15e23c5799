// WHERE shape of UPDATE/DELETE (and MERGE's join condition): does the predicate restrict
// which target rows are touched? Judged over AND/OR/NOT with constant folding
// (const_eval.hpp); a leaf restricts only when it certainly references a target column and
// is not trivially true. Unknown leaves that reference the target count as restrictive;
// everything that cannot restrict the target counts as tautological (the side a gate should
// err on).
#include <string>

#include "sql/pg/columns.hpp"
#include "sql/pg/const_eval.hpp"
#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {
namespace {

enum class Truth : std::uint8_t { Always, Never, Depends };

std::string op_name(const A_Expr* e) {
  return list_length(e->name) == 1 ? str_value(static_cast<Node*>(linitial(e->name))) : "";
}

bool same(Node* a, Node* b) { return a != nullptr && b != nullptr && equal(a, b); }

const char* complement(const std::string& op) {
  if (op == "=") return "<>";
  if (op == "<>" || op == "!=") return "=";
  if (op == "<") return ">=";
  if (op == ">=") return "<";
  if (op == ">") return "<=";
  if (op == "<=") return ">";
  return "";
}

// `a op b` OR `a complement(op) b`, `x IS NULL` OR `x IS NOT NULL`, `p` OR `NOT p`: true for
// every row (NULLs aside, which a gate may ignore).
bool complementary(Node* a, Node* b) {
  if (IsA(a, A_Expr) && IsA(b, A_Expr)) {
    auto* x = castNode(A_Expr, a);
    auto* y = castNode(A_Expr, b);
    return x->kind == AEXPR_OP && y->kind == AEXPR_OP && same(x->lexpr, y->lexpr) &&
           same(x->rexpr, y->rexpr) && op_name(y) == complement(op_name(x));
  }
  if (IsA(a, NullTest) && IsA(b, NullTest)) {
    auto* x = castNode(NullTest, a);
    auto* y = castNode(NullTest, b);
    return x->nulltesttype != y->nulltesttype &&
           same(reinterpret_cast<Node*>(x->arg), reinterpret_cast<Node*>(y->arg));
  }
  if (IsA(b, BoolExpr) && castNode(BoolExpr, b)->boolop == NOT_EXPR)
    return same(a, static_cast<Node*>(linitial(castNode(BoolExpr, b)->args)));
  if (IsA(a, BoolExpr) && castNode(BoolExpr, a)->boolop == NOT_EXPR)
    return same(b, static_cast<Node*>(linitial(castNode(BoolExpr, a)->args)));
  return false;
}

bool self_comparison(Node* n) {
  if (!IsA(n, A_Expr)) return false;
  auto* e = castNode(A_Expr, n);
  if (e->kind == AEXPR_NOT_DISTINCT) return same(e->lexpr, e->rexpr);
  if (e->kind != AEXPR_OP) return false;
  const std::string op = op_name(e);
  return (op == "=" || op == ">=" || op == "<=") && same(e->lexpr, e->rexpr);
}

}  // namespace

class WhereJudge {
 public:
  WhereJudge(ColumnWalker& w, const Scope& sc) : w_(w), sc_(sc) {}

  Truth judge(Node* n, int depth) {
    if (n == nullptr) return Truth::Always;
    if (depth > 2000) return leaf(n);
    if (IsA(n, BoolExpr)) {
      auto* b = castNode(BoolExpr, n);
      if (b->boolop == AND_EXPR) {
        Truth r = Truth::Always;
        for (ListCell* lc = list_head(b->args); lc; lc = lnext(b->args, lc)) {
          const Truth t = judge(static_cast<Node*>(lfirst(lc)), depth + 1);
          if (t == Truth::Never || r == Truth::Never) r = Truth::Never;
          else if (t == Truth::Depends) r = Truth::Depends;
        }
        return r;
      }
      if (b->boolop == OR_EXPR) {
        Truth r = Truth::Never;
        for (ListCell* lc = list_head(b->args); lc; lc = lnext(b->args, lc)) {
          const Truth t = judge(static_cast<Node*>(lfirst(lc)), depth + 1);
          if (t == Truth::Always || r == Truth::Always) r = Truth::Always;
          else if (t == Truth::Depends) r = Truth::Depends;
        }
        if (r == Truth::Depends && list_length(b->args) <= 64)
          for (ListCell* i = list_head(b->args); i; i = lnext(b->args, i))
            for (ListCell* j = lnext(b->args, i); j; j = lnext(b->args, j))
              if (complementary(static_cast<Node*>(lfirst(i)), static_cast<Node*>(lfirst(j))))
                return Truth::Always;
        return r;
      }
      if (b->boolop == NOT_EXPR && list_length(b->args) == 1) {
        const Truth t = judge(static_cast<Node*>(linitial(b->args)), depth + 1);
        return t == Truth::Always ? Truth::Never : t == Truth::Never ? Truth::Always : t;
      }
    }
    return leaf(n);
  }

 private:
  Truth leaf(Node* n) {
    const ConstValue v = fold_constant(n);
    const int before = w_.target_refs_;
    w_.expr(n, sc_, nullptr);  // the reads, and whether the target is referenced
    if (IsA(n, CurrentOfExpr)) return Truth::Depends;  // WHERE CURRENT OF: one row
    if (v.known()) return v.is_true() ? Truth::Always : Truth::Never;
    if (w_.target_refs_ == before) return Truth::Always;  // does not restrict the target
    if (self_comparison(n)) return Truth::Always;
    return null_test(n);
  }

  // `col IS [NOT] NULL`, `col IS [NOT] DISTINCT FROM NULL` on a target column the catalog
  // declares NOT NULL: always (never) true. Depends for anything else.
  Truth null_test(Node* n) const {
    if (IsA(n, NullTest)) {
      auto* t = castNode(NullTest, n);
      if (!not_null_column(reinterpret_cast<Node*>(t->arg))) return Truth::Depends;
      return t->nulltesttype == IS_NOT_NULL ? Truth::Always : Truth::Never;
    }
    if (!IsA(n, A_Expr)) return Truth::Depends;
    auto* e = castNode(A_Expr, n);
    if (e->kind != AEXPR_DISTINCT && e->kind != AEXPR_NOT_DISTINCT) return Truth::Depends;
    auto is_null = [](Node* x) {
      return x != nullptr && IsA(x, A_Const) && castNode(A_Const, x)->isnull;
    };
    if (!(is_null(e->rexpr) && not_null_column(e->lexpr)) &&
        !(is_null(e->lexpr) && not_null_column(e->rexpr)))
      return Truth::Depends;
    return e->kind == AEXPR_DISTINCT ? Truth::Always : Truth::Never;
  }

  bool not_null_column(Node* arg) const {
    if (arg == nullptr || !IsA(arg, ColumnRef)) return false;
    const std::vector<Hit> hits = w_.lookup(reinterpret_cast<::ColumnRef*>(arg), sc_);
    if (hits.size() != 1 || hits[0].whole_row || !hits[0].entry->target) return false;
    const RangeEntry& e = *hits[0].entry;
    if (e.rel == nullptr) return false;
    int i = -1;
    for (std::size_t k = 0; k < e.colnames.size(); ++k)
      if (e.colnames[k] == hits[0].column) i = static_cast<int>(k);
    if (i < 0) i = e.rel->column_index(hits[0].column);
    return i >= 0 && i < static_cast<int>(e.rel->columns.size()) &&
           e.rel->columns[static_cast<std::size_t>(i)].not_null;
  }

  ColumnWalker& w_;
  const Scope& sc_;
};

WhereShape ColumnWalker::where_shape(Node* where, const Scope& sc) {
  if (where == nullptr) return WhereShape::Absent;
  WhereJudge j(*this, sc);
  return j.judge(where, 0) == Truth::Always ? WhereShape::Tautological : WhereShape::Restrictive;
}

void ColumnWalker::set_where_shape(int location, WhereShape shape, bool update, bool del) {
  for (RelationRef& r : f_.relations) {
    if (r.location != location) continue;
    if ((update && r.mode == AccessMode::Update) || (del && r.mode == AccessMode::Delete))
      r.where_shape = shape;
  }
}

}  // namespace airlock::sql::pg
