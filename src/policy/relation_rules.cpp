// Every relation access must be covered: an allow entry naming the table with the action
// the access needs, or a hold entry (then the statement is held). Catalog reads and reads
// of allowed sequences are built in. Column lists, masks and WHERE shape refine the entry.
#include <algorithm>

#include "policy/builtin_functions.hpp"
#include "policy/facts_view.hpp"
#include "policy/judge.hpp"

namespace airlock::policy::detail {
namespace {

using sql::AccessMode;

Action action_for(AccessMode m) {
  switch (m) {
    case AccessMode::Read: return Action::Select;
    case AccessMode::Insert: return Action::Insert;
    case AccessMode::Update: return Action::Update;
    case AccessMode::Delete: return Action::Delete;
    case AccessMode::Truncate: return Action::Truncate;
    case AccessMode::Ddl: return Action::Ddl;
    case AccessMode::Lock: return Action::Lock;
    case AccessMode::Copy: return Action::Insert;  // COPY ... FROM: `insert` or `copy`
  }
  return Action::Ddl;
}

bool covers(const CompiledEntry& e, AccessMode m) {
  if (m == AccessMode::Copy) return e.has(Action::Insert) || e.has(Action::Copy);
  return e.has(action_for(m));
}

std::string access_text(AccessMode m, const ObjectName& n) {
  if (m == AccessMode::Copy) return "COPY into " + display(n);
  return std::string(to_string(action_for(m))) + " on " + display(n);
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Columns: `columns` limits what may be written, `deny_columns` (of any entry naming the
// table) forbids any reference, `mask` (of any entry naming it) masks what is returned.
void judge_columns(Judge& j, const sql::StatementFacts& s, const sql::RelationRef& r,
                   const ObjectName& n, const CompiledEntry& used,
                   const std::vector<const CompiledEntry*>& all) {
  const bool writes = r.mode == AccessMode::Insert || r.mode == AccessMode::Update ||
                      r.mode == AccessMode::Copy;
  if (writes && !used.columns.empty()) {
    auto written = columns_written(s, r);
    if (!written) {
      j.deny("builtin.columns_unknown", "cannot tell which columns of " + display(n) +
                                            " are written; " + used.id + " limits them");
    } else {
      for (const auto& c : *written) {
        if (!contains(used.columns, c))
          j.deny(used.id, "writing column " + quote_identifier(c) + " of " + display(n) +
                              " is not allowed");
      }
    }
  }
  for (const CompiledEntry* e : all) {
    if (e->deny_columns.empty()) continue;
    auto read = columns_read(s, r);
    auto written = columns_written(s, r);
    if (!read || (writes && !written)) {
      j.deny("builtin.columns_unknown", "cannot tell which columns of " + display(n) +
                                            " are used; " + e->id + " forbids some");
      continue;
    }
    for (const auto& c : e->deny_columns) {
      if (contains(*read, c) || (written && contains(*written, c)))
        j.deny(e->id + ".deny_columns",
               "column " + quote_identifier(c) + " of " + display(n) + " may not be used");
    }
  }
  // Masks follow values into the result: SELECT lists, RETURNING, through aliases.
  judge_masks(j, s, r, n, all);
}

void judge_where(Judge& j, const sql::StatementFacts& s, const sql::RelationRef& r,
                 const ObjectName& n) {
  if (r.mode != AccessMode::Update && r.mode != AccessMode::Delete) return;
  if (r.mode == AccessMode::Update && s.on_conflict_update &&
      s.inner_kind == sql::StatementKind::Insert)
    return;  // ON CONFLICT DO UPDATE touches only the conflicting rows
  const char* verb = r.mode == AccessMode::Update ? "UPDATE of " : "DELETE from ";
  switch (where_shape(s, r)) {
    case WhereShape::Restrictive: return;
    case WhereShape::Absent:
      return j.deny("builtin.where_required",
                    verb + display(n) + " without a WHERE clause would touch every row");
    case WhereShape::Tautological:
      return j.deny("builtin.where_required",
                    verb + display(n) + " has a WHERE clause that is always true");
    case WhereShape::Unknown:
      return j.deny("builtin.where_required",
                    verb + display(n) + " has a WHERE clause whose shape Airlock "
                                        "could not determine");
  }
}

void judge_relation(Judge& j, const sql::StatementFacts& s, const sql::RelationRef& r) {
  const ObjectName n = resolve_relation(j, r);
  const auto entries = j.policy.for_table(n);
  const CompiledEntry* allow = nullptr;
  const CompiledEntry* hold = nullptr;
  for (const CompiledEntry* e : entries) {
    if (!covers(*e, r.mode)) continue;
    const CompiledEntry*& slot = e->is_hold ? hold : allow;
    if (slot == nullptr) slot = e;
  }
  const CompiledEntry* used = hold != nullptr ? hold : allow;
  if (used == nullptr) {
    if (r.mode == AccessMode::Read) {
      for (const CompiledEntry* e : j.policy.for_sequence(n)) {
        if (e->is_hold) j.hold(e->id, "reading sequence " + display(n) + " needs approval");
        else j.allow(e->id);
        return;
      }
      if (n.schema == "pg_catalog" || n.schema == "information_schema") {
        if (is_sensitive_catalog_relation(n.name))
          return j.deny("builtin.sensitive_catalog", display(n) + " holds secrets or other "
                                                                  "sessions' data");
        return j.allow("builtin.catalog_read");
      }
    }
    return j.deny("default_deny", access_text(r.mode, n) + " is not allowed for " + j.agent());
  }
  Decision d = used->is_hold
                   ? Decision::hold(used->id, access_text(r.mode, n) + " needs approval" +
                                                  (used->reason.empty() ? "" : ": " + used->reason))
                   : Decision::allow(used->id);
  if (used->max_rows) {
    d.row_limit = used->max_rows;
    d.over_limit = used->over_limit;
  }
  j.add(d);
  judge_columns(j, s, r, n, *used, entries);
  judge_where(j, s, r, n);
}

}  // namespace

void judge_relations(Judge& j, const sql::StatementFacts& s) {
  for (const auto& r : s.relations) {
    if (r.cte_reference) continue;  // a WITH query of this statement, not a table
    judge_relation(j, s, r);
  }
}

}  // namespace airlock::policy::detail
