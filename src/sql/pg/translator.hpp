#pragma once
// Translator: walks one raw statement tree and fills a StatementFacts.
// Member functions live in one file per statement family:
//   dispatch.cpp (the statement switch), select.cpp, modify.cpp, utility.cpp, ddl.cpp,
//   from.cpp (FROM items), expr.cpp (expressions, sublinks, function calls).
// Lifetime: the Node pointers belong to the libpg_query memory context that raw_parse.cpp
// keeps open for the whole walk; nothing here outlives it.
#include <string>
#include <string_view>
#include <vector>

#include "sql/facts.hpp"
#include "sql/pg/pg_nodes.hpp"

namespace airlock::sql::pg {

class Translator {
 public:
  Translator(StatementFacts& facts, int max_walk_depth) : f_(facts), max_depth_(max_walk_depth) {}

  // dispatch.cpp
  void statement(Node* n);
  bool too_deep() const { return too_deep_; }

  // select.cpp
  void select(SelectStmt* s);
  void with_clause(WithClause* w);
  void locking(List* locking_clause);
  void into_clause(IntoClause* into);

  // modify.cpp
  void insert(InsertStmt* s);
  void update(UpdateStmt* s);
  void delete_(DeleteStmt* s);
  void merge(MergeStmt* s);

  // utility.cpp
  void transaction(TransactionStmt* s);
  void variable_set(VariableSetStmt* s);
  void copy(CopyStmt* s);
  void explain(ExplainStmt* s);

  // ddl.cpp, ddl_names.cpp
  void ddl(Node* n);
  void create_table(CreateStmt* s);
  void constraint_or_column(Node* n);
  void routine_body(Node* n);
  void publication_objects(List* objs);
  void drop(DropStmt* s);

  // from.cpp
  void from_list(List* items);
  void from_item(Node* n);
  // `in_from`: a FROM-clause item, the only place an unqualified name can mean a WITH
  // query; INSERT/UPDATE/DELETE/MERGE targets, INTO and DDL always name real relations.
  void relation(RangeVar* rv, AccessMode mode, bool in_from = false);

  // expr.cpp
  void expr(Node* n);
  void expr_list(List* l);
  // `args`: the call's argument expressions (trigger arguments: String nodes).
  void function(List* qualified_name, List* args, FunctionSite site, int location);
  void type_name(TypeName* t);

  void unsupported(std::string_view what);
  void unsupported_node(std::string_view where, const Node* n);

  StatementFacts& facts() { return f_; }

  // Inner statements (EXPLAIN, PREPARE, CTE bodies, rule actions) report their own kind.
  StatementKind inner_statement(Node* n);

  // Scope markers.
  struct Scope {
    int* counter;
    explicit Scope(int& c) : counter(&c) { ++c; }
    ~Scope() { --*counter; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };
  int in_cte_ = 0;
  int in_subquery_ = 0;
  FunctionSite site_ = FunctionSite::Expression;
  std::vector<std::string> cte_names_;  // WITH names in scope (innermost last)

  // Depth guard: `auto g = enter(); if (!g.ok) return;` at every recursive entry point.
  struct DepthGuard {
    Translator* t;
    bool ok;
    ~DepthGuard() { --t->depth_; }
  };
  DepthGuard enter() {
    ++depth_;
    if (depth_ > max_depth_) too_deep_ = true;
    return DepthGuard{this, !too_deep_};
  }

 private:
  StatementFacts& f_;
  int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
};

// Small helpers shared by the translator files (nodes_util.cpp).
std::string str_value(const Node* n);        // String/Integer/Float/Boolean value as text
std::string const_text(const Node* n);       // A_Const or value node as text; "" otherwise
std::string join_names(List* l, char sep);   // list of String nodes
const char* or_empty(const char* s);

}  // namespace airlock::sql::pg
