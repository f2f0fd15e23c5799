#include "json_extractor.hpp"

#include <pg_query.h>

#include <map>
#include <nlohmann/json.hpp>

namespace airlock::sql::test {
namespace {

using nlohmann::json;

std::string sval(const json& j) {
  if (j.contains("String")) return j["String"].value("sval", "");
  return {};
}

std::string joined_names(const json& arr) {
  std::string out;
  for (const auto& e : arr) {
    if (!out.empty()) out += '.';
    out += sval(e);
  }
  return out;
}

// Keys whose RangeVars are not table references: FOR UPDATE OF <alias>, composite type
// names, identity sequences, constraint-trigger FROM tables.
bool skipped_key(const std::string& k) {
  return k == "lockedRels" || k == "typevar" || k == "identitySequence" || k == "constrrel";
}

void walk(const json& j, JsonStatement& out) {
  if (j.is_array()) {
    for (const auto& e : j) walk(e, out);
    return;
  }
  if (!j.is_object()) return;
  // Typed fields (RangeVar *relation, FuncCall *funccall) are printed without the node-name
  // wrapper, so nodes are recognised by their own keys.
  if (j.contains("relname")) {
    std::string name;
    for (const char* part : {"catalogname", "schemaname"})
      if (j.contains(part)) name += j[part].get<std::string>() + ".";
    // CREATE TEMP ...: the relation is created in the session's temporary schema.
    if (!j.contains("schemaname") && j.value("relpersistence", "") == "t") name += "pg_temp.";
    out.relations.insert(name + j.value("relname", ""));
  }
  if (j.contains("funcname") && j.contains("funcformat"))
    out.functions.insert(joined_names(j["funcname"]) + "/" +
                         std::to_string(j.contains("args") ? j["args"].size() : 0));
  for (const auto& [key, val] : j.items()) {
    if (skipped_key(key)) continue;
    if ((key == "CreateTrigStmt" || key == "CreateEventTrigStmt") &&
               val.contains("funcname")) {
      out.functions.insert(joined_names(val["funcname"]) + "/" +
                           std::to_string(val.contains("args") ? val["args"].size() : 0));
    } else if (key == "DropStmt") {
      static const std::set<std::string> kRelTypes = {"OBJECT_TABLE", "OBJECT_VIEW",
          "OBJECT_MATVIEW", "OBJECT_INDEX", "OBJECT_SEQUENCE", "OBJECT_FOREIGN_TABLE"};
      if (kRelTypes.count(val.value("removeType", "")) != 0 && val.contains("objects"))
        for (const auto& o : val["objects"])
          if (o.contains("List")) out.relations.insert(joined_names(o["List"]["items"]));
    }
    walk(val, out);
  }
}

std::string kind_of(const std::string& node, const json& body) {
  static const std::map<std::string, std::string> kKinds = {
      {"SelectStmt", "select"}, {"InsertStmt", "insert"}, {"UpdateStmt", "update"},
      {"DeleteStmt", "delete"}, {"MergeStmt", "merge"}, {"VariableShowStmt", "show"},
      {"ExplainStmt", "explain"}, {"CopyStmt", "copy"}, {"TruncateStmt", "truncate"},
      {"LockStmt", "lock"}, {"CallStmt", "call"}, {"DoStmt", "do"}, {"PrepareStmt", "prepare"},
      {"ExecuteStmt", "execute"}, {"DeallocateStmt", "deallocate"},
      {"DeclareCursorStmt", "declare_cursor"}, {"FetchStmt", "fetch"},
      {"ClosePortalStmt", "close_portal"}, {"ListenStmt", "listen"}, {"NotifyStmt", "notify"},
      {"UnlistenStmt", "unlisten"}, {"DiscardStmt", "discard"}, {"GrantStmt", "grant"},
      {"GrantRoleStmt", "grant"}, {"AlterDefaultPrivilegesStmt", "grant"},
      {"CheckPointStmt", "checkpoint"}, {"LoadStmt", "load"},
      {"RefreshMatViewStmt", "refresh_matview"}};
  if (auto it = kKinds.find(node); it != kKinds.end()) return it->second;
  if (node == "TransactionStmt") {
    const std::string k = body.value("kind", "");
    return k == "TRANS_STMT_PREPARE" || k == "TRANS_STMT_COMMIT_PREPARED" ||
                   k == "TRANS_STMT_ROLLBACK_PREPARED"
               ? "two_phase" : "transaction_control";
  }
  if (node == "VariableSetStmt") {
    const std::string k = body.value("kind", "");
    return k == "VAR_RESET" || k == "VAR_RESET_ALL" ? "reset" : "set";
  }
  if (node == "VacuumStmt") return body.value("is_vacuumcmd", false) ? "vacuum" : "analyze";
  return "ddl";
}

}  // namespace

JsonFacts extract_via_json(const std::string& sql) {
  JsonFacts out;
  PgQueryParseResult r = pg_query_parse(sql.c_str());
  if (r.error != nullptr) {
    out.error = r.error->message;
    pg_query_free_parse_result(r);
    return out;
  }
  const json tree = json::parse(r.parse_tree);
  pg_query_free_parse_result(r);
  if (tree.contains("stmts")) {
    for (const auto& s : tree["stmts"]) {
      JsonStatement st;
      const json& stmt = s["stmt"];
      for (const auto& [node, body] : stmt.items()) st.kind = kind_of(node, body);
      walk(stmt, st);
      out.statements.push_back(std::move(st));
    }
  }
  out.ok = true;
  return out;
}

}  // namespace airlock::sql::test
