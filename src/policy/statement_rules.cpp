// Rules by statement kind, on top of the relation and function rules that every kind
// runs. Wrappers (EXPLAIN, PREPARE, DECLARE CURSOR) are judged as the statement they wrap:
// the sql module reports the wrapped statement's relations and functions as their own.
#include "policy/builtin_settings.hpp"
#include "policy/judge.hpp"

namespace airlock::policy::detail {
namespace {

using sql::StatementKind;

bool mentions_role(const std::string& command) {
  return command.find("ROLE") != std::string::npos ||
         command.find("USER") != std::string::npos ||
         command.find("GROUP") != std::string::npos;
}

void judge_execute(Judge& j, const sql::StatementFacts& s) {
  std::optional<Decision> prepared;
  if (auto it = j.prepared.find(s.object_name); it != j.prepared.end()) prepared = it->second;
  else if (j.context.prepared) prepared = j.context.prepared(s.object_name);
  if (!prepared) {
    return j.deny("builtin.unknown_prepared",
                  "EXECUTE " + s.object_name + ": no statement of that name was prepared "
                                               "and checked in this session");
  }
  // EXECUTE returns the prepared query's rows: its masks, whichever statement of the
  // PREPARE's string they were numbered for, apply here (evaluate() numbers them).
  Decision part = *prepared;
  for (auto& m : part.masked_outputs) m.statement = 0;
  for (auto& r : part.result_shapes) r.statement = 0;
  j.add(part);
}

void judge_kind(Judge& j, const sql::StatementFacts& s, StatementKind k) {
  switch (k) {
    case StatementKind::Select:
    case StatementKind::Insert:
    case StatementKind::Update:
    case StatementKind::Delete:
    case StatementKind::Merge:
    case StatementKind::Lock:
    case StatementKind::Truncate:
    case StatementKind::RefreshMatView:
    case StatementKind::Call: return;  // relations and functions decide
    case StatementKind::Ddl:
      if (mentions_role(s.command))
        return j.deny("builtin.privileges", s.command + " changes roles or privileges");
      // CREATE SCHEMA ... CREATE TABLE t: the tables are created in the new schema, and the
      // schema itself is nothing an entry can grant.
      if (s.relations.empty() || s.command == "CREATE SCHEMA")
        return j.deny("builtin.ddl_without_table",
                      s.command + " changes no table an allow entry can name");
      return;
    case StatementKind::Copy:
      if (s.copy && (s.copy->is_program || !s.copy->target.empty()))
        return j.deny("builtin.copy_file",
                      std::string("COPY ") + (s.copy->is_from ? "FROM " : "TO ") +
                          (s.copy->is_program ? "PROGRAM" : "a server file") +
                          " runs on the database server; use STDIN/STDOUT");
      return;
    case StatementKind::TransactionControl: return j.allow("builtin.transaction_control");
    case StatementKind::TwoPhase:
      return j.deny("builtin.two_phase", s.command + " (two-phase commit) outlives the session");
    case StatementKind::Set:
    case StatementKind::Reset: return;  // judge_settings
    case StatementKind::Show:
      if (is_sensitive_setting(s.object_name))
        return j.deny("builtin.setting_read",
                      "SHOW " + s.object_name + " is not readable through Airlock");
      return j.allow("builtin.show");
    case StatementKind::Discard:
      j.search_path = j.base_path;
      return j.allow("builtin.session");
    case StatementKind::Listen:
    case StatementKind::Unlisten: return j.allow("builtin.listen");
    case StatementKind::Notify:
      return j.deny("builtin.notify", "NOTIFY " + s.object_name +
                                          " wakes other sessions' listeners");
    case StatementKind::Execute: return judge_execute(j, s);
    case StatementKind::Deallocate:
      if (s.object_name.empty()) j.prepared.clear();  // DEALLOCATE ALL
      else j.prepared.erase(s.object_name);
      return j.allow("builtin.prepared");
    case StatementKind::Fetch:
    case StatementKind::ClosePortal: return j.allow("builtin.cursor");
    case StatementKind::Do:
      return j.deny("builtin.opaque_code",
                    "DO runs an anonymous block Airlock cannot see into; put the code in a "
                    "procedure and allow it by name");
    case StatementKind::Vacuum:
    case StatementKind::Analyze:
      if (s.relations.empty())
        return j.deny("builtin.maintenance", s.command + " of the whole database");
      return;  // each table needs `ddl`
    case StatementKind::Grant:
      return j.deny("builtin.privileges", s.command + " changes roles or privileges");
    case StatementKind::Checkpoint:
    case StatementKind::Load:
      return j.deny("builtin.server_admin", s.command + " is server administration");
    case StatementKind::Explain:
    case StatementKind::Prepare:
    case StatementKind::DeclareCursor:
    case StatementKind::Unsupported: break;
  }
  j.deny("builtin.unsupported", "statement " + s.command + " is not supported");
}

}  // namespace

void judge_statement(Judge& j, const sql::StatementFacts& s) {
  if (!s.unsupported_reason.empty() || s.kind == StatementKind::Unsupported) {
    return j.deny("builtin.unsupported",
                  "not understood: " + (s.unsupported_reason.empty() ? s.command
                                                                     : s.unsupported_reason));
  }
  const bool wrapper = s.kind == StatementKind::Explain || s.kind == StatementKind::Prepare ||
                       s.kind == StatementKind::DeclareCursor;
  judge_kind(j, s, wrapper ? s.inner_kind : s.kind);
  // CREATE TABLE t AS EXECUTE p: the prepared statement runs, so its decision counts.
  if (!wrapper && s.kind != StatementKind::Execute && s.inner_kind == StatementKind::Execute)
    judge_execute(j, s);
  judge_settings(j, s);
  judge_relations(j, s);
  judge_functions(j, s);
  judge_mask_flow(j, s);
}

}  // namespace airlock::policy::detail
