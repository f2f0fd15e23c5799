#pragma once
// Internal: the state of one evaluate() call and the rule families it runs. Each family
// folds its decisions into `result` with combine(); none returns early, so a later deny
// always wins over an earlier allow.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policy/agent_policy.hpp"
#include "policy/decision.hpp"
#include "policy/eval_context.hpp"
#include "sql/facts.hpp"

namespace airlock::policy::detail {

struct Judge {
  const AgentPolicy& policy;
  const EvalContext& context;
  // The path the string starts with: the sql module's (Analysis::search_path: "$user"
  // substituted by the caller, schemas that do not exist skipped), else context.search_path.
  // RESET and DISCARD return to it.
  std::vector<std::string> base_path;
  // Starts as base_path; a SET search_path earlier in the same string changes how later
  // statements resolve their names.
  std::vector<std::string> search_path;
  // The current statement's decision; evaluate() folds each into the total.
  Decision result = Decision::allow("");
  // Statements PREPAREd earlier in the same string, by name, with their decisions.
  std::map<std::string, Decision, std::less<>> prepared;

  void add(const Decision& d) { combine(result, d); }
  void allow(std::string rule) { add(Decision::allow(std::move(rule))); }
  void deny(std::string rule, std::string reason) {
    add(Decision::deny(std::move(rule), std::move(reason)));
  }
  void hold(std::string rule, std::string reason) {
    add(Decision::hold(std::move(rule), std::move(reason)));
  }
  const std::string& agent() const { return policy.agent(); }
};

// The statement-kind rules (statement_rules.cpp).
void judge_statement(Judge& j, const sql::StatementFacts& s);
// Every relation the statement names (relation_rules.cpp).
void judge_relations(Judge& j, const sql::StatementFacts& s);
// `mask` entries naming relation r: masked result positions, masked values stored
// elsewhere (mask_rules.cpp). `all`: every entry naming the relation.
void judge_masks(Judge& j, const sql::StatementFacts& s, const sql::RelationRef& r,
                 const ObjectName& n, const std::vector<const CompiledEntry*>& all);
// After the relations: masked values that would leave by COPY, a cursor or a new table.
void judge_mask_flow(Judge& j, const sql::StatementFacts& s);
// Every function it calls (function_rules.cpp).
void judge_functions(Judge& j, const sql::StatementFacts& s);
// pg_catalog's pg_sleep, pg_sleep_for, pg_sleep_until (by name).
bool is_sleep_function(std::string_view name);
// The statement has FROM items, relations or set-returning calls: its functions may run
// once per row (row_sources.cpp).
bool reads_rows(const sql::StatementFacts& s);
// SET / RESET / SET TRANSACTION / BEGIN READ WRITE (setting_rules.cpp).
void judge_settings(Judge& j, const sql::StatementFacts& s);

// Name resolution without a catalog (resolve.cpp): explicit schema as written; else
// pg_catalog for names known to live there; else the first schema of the search path.
ObjectName resolve_relation(const Judge& j, const sql::RelationRef& r);
ObjectName resolve_function(const Judge& j, const sql::FunctionRef& f);
// A regclass literal ('public.s', '"S"', 's') as the sequence function `f` takes it.
ObjectName resolve_regclass(const Judge& j, const sql::FunctionRef& f, const std::string& literal);

}  // namespace airlock::policy::detail
