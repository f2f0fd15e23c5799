#include "mcp/tool_schema.hpp"

#include <string>

namespace airlock::mcp {

namespace {

using nlohmann::json;

json string_prop(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

json intent_prop() {
  return string_prop(
      "Optional: why you make this call, in one sentence. Recorded in the audit trail.");
}

json sql_prop(const char* description) {
  return {{"type", "string"}, {"maxLength", kMaxSqlBytes}, {"description", description}};
}

json params_prop() {
  return {{"type", "array"},
          {"maxItems", kMaxParams},
          {"items", {{"type", json::array({"string", "number", "boolean", "null"})}}},
          {"description",
           "Values for $1, $2, ... in order. Strings, numbers, booleans or null; they are "
           "sent as parameters, never spliced into the SQL."}};
}

json input_schema(json properties, json required) {
  properties["intent"] = intent_prop();
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

json string_array() { return {{"type", "array"}, {"items", {{"type", "string"}}}}; }

json nullable_integer() { return {{"type", json::array({"integer", "null"})}}; }

json rows_output_schema() {
  return {{"type", "object"},
          {"properties",
           {{"columns",
             {{"type", "array"},
              {"items",
               {{"type", "object"},
                {"properties", {{"name", {{"type", "string"}}}, {"type", {{"type", "string"}}}}},
                {"required", {"name", "type"}}}}}},
            {"rows",
             {{"type", "array"},
              {"items",
               {{"type", "array"},
                {"items", {{"type", json::array({"string", "null"})}}}}}}},
            {"row_count", {{"type", "integer"}}},
            {"truncated", {{"type", "boolean"}}},
            {"truncation", {{"type", "string"}}}}},
          {"required", {"columns", "rows", "row_count", "truncated"}}};
}

json execute_output_schema() {
  json schema = rows_output_schema();
  schema["properties"]["command"] = {{"type", "string"}};
  schema["properties"]["rows_changed"] = nullable_integer();
  schema["required"] = {"command", "rows_changed"};
  return schema;
}

json list_tables_output_schema() {
  return {{"type", "object"},
          {"properties",
           {{"tables",
             {{"type", "array"},
              {"items",
               {{"type", "object"},
                {"properties",
                 {{"table", {{"type", "string"}}},
                  {"actions", string_array()},
                  {"masked_columns", string_array()},
                  {"denied_columns", string_array()},
                  {"max_rows", nullable_integer()}}},
                {"required", {"table"}},
                {"additionalProperties", true}}}}}}},
          {"required", {"tables"}},
          {"additionalProperties", true}};
}

json describe_table_output_schema() {
  return {{"type", "object"},
          {"properties",
           {{"table", {{"type", "string"}}},
            {"columns",
             {{"type", "array"},
              {"items",
               {{"type", "object"},
                {"properties",
                 {{"name", {{"type", "string"}}},
                  {"type", {{"type", "string"}}},
                  {"masked", {{"type", "boolean"}}},
                  {"denied", {{"type", "boolean"}}}}},
                {"required", {"name"}},
                {"additionalProperties", true}}}}}}},
          {"required", {"table", "columns"}},
          {"additionalProperties", true}};
}

json check_output_schema() {
  return {{"type", "object"},
          {"properties",
           {{"verdict",
             {{"type", "string"}, {"enum", {"allow", "deny", "hold", "guard", "mask"}}}},
            {"rule", {{"type", "string"}}},
            {"reason", {{"type", "string"}}},
            {"hint", {{"type", "string"}}},
            {"row_limit", nullable_integer()},
            {"masked_columns", string_array()}}},
          {"required", {"verdict"}},
          {"additionalProperties", true}};
}

json approval_status_output_schema() {
  const json text = {{"type", json::array({"string", "null"})}};
  return {{"type", "object"},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"status", {{"type", "string"}}},
            {"agent", text},
            {"statement", text},
            {"created_at", text},
            {"expires_at", text},
            {"decided_by", text}}},
          {"required", {"id", "status"}},
          {"additionalProperties", true}};
}

json request_access_output_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"status", {{"type", "string"}, {"enum", json::array({"pending"})}}},
            {"request", {{"type", "string"}}},
            {"expires_at", {{"type", "string"}}}}},
          {"required", {"id", "status"}},
          {"additionalProperties", true}};
}

json access_status_output_schema() {
  const json text = {{"type", "string"}};
  return {{"type", "object"},
          {"properties",
           {{"id", text},
            {"status",
             {{"type", "string"},
              {"enum", {"pending", "approved", "denied", "expired", "collected"}}}},
            {"user", text},
            {"password", text},
            {"expires_at", text},
            {"decided_by", text},
            {"note", text},
            {"collected_at", text}}},
          {"required", {"id", "status"}},
          {"additionalProperties", true}};
}

// What a tool changes: nothing; data (execute); or only Airlock's state store, adding and
// never destroying (request_access, access_status), and not idempotent either.
enum class Effect { ReadOnly, Destructive, Additive };

json annotations(Effect effect, const char* title) {
  const bool read_only = effect == Effect::ReadOnly;
  json a = {{"title", title}, {"readOnlyHint", read_only}, {"openWorldHint", false}};
  if (!read_only) {
    a["destructiveHint"] = effect == Effect::Destructive;
    a["idempotentHint"] = false;
  }
  return a;
}

json tool(const char* name, const char* title, const char* description, json input, json output,
          Effect effect = Effect::ReadOnly) {
  return {{"name", name},
          {"title", title},
          {"description", description},
          {"inputSchema", std::move(input)},
          {"outputSchema", std::move(output)},
          {"annotations", annotations(effect, title)}};
}

json list_tables() {
  return tool(tool::kListTables, "List tables",
              "Lists the tables your policy lets you use, with the actions allowed on each, the "
              "masked and denied columns, and the row limit.",
              input_schema(json::object(), json::array()), list_tables_output_schema());
}

json describe_table() {
  return tool(tool::kDescribeTable, "Describe a table",
              "Columns and types of one table you may use; each column says whether it is "
              "masked or denied.",
              input_schema({{"table", string_prop("Table name, optionally schema-qualified.")}},
                           {"table"}),
              describe_table_output_schema());
}

json query() {
  return tool(tool::kQuery, "Run a read-only query",
              "Runs one SQL statement that writes nothing and returns its rows (bounded; the "
              "result says when it was truncated). The statement is checked by policy first; a "
              "denial explains why and how to proceed.",
              input_schema({{"sql", sql_prop("One SQL statement.")}, {"params", params_prop()}},
                           {"sql"}),
              rows_output_schema());
}

json execute() {
  return tool(tool::kExecute, "Run a write",
              "Runs one SQL statement that changes data, under the same policy, row limits and "
              "approvals as any other client. Reports the rows changed. A statement that needs a "
              "human's approval returns at once with an approval id: check it with "
              "approval_status, then send the same call again to run it once.",
              input_schema({{"sql", sql_prop("One SQL statement.")}, {"params", params_prop()}},
                           {"sql"}),
              execute_output_schema(), Effect::Destructive);
}

json explain() {
  return tool(tool::kExplain, "Explain a statement",
              "Shows PostgreSQL's plan for a statement you may run (EXPLAIN without ANALYZE: "
              "nothing is executed).",
              input_schema({{"sql", sql_prop("One SQL statement.")}, {"params", params_prop()}},
                           {"sql"}),
              rows_output_schema());
}

json check() {
  return tool(tool::kCheck, "Check a statement",
              "Tells whether a statement would be allowed, denied, held for approval or guarded, "
              "with the rule, reason and hint. Runs nothing.",
              input_schema({{"sql", sql_prop("One SQL statement.")}}, {"sql"}),
              check_output_schema());
}

json approval_status() {
  return tool(tool::kApprovalStatus, "Approval status",
              "The state of one of your held statements (pending, approved, denied, expired, "
              "consumed).",
              input_schema({{"id", string_prop("The approval id a held execute returned.")}},
                           {"id"}),
              approval_status_output_schema());
}

json request_access() {
  return tool(tool::kRequestAccess, "Request access",
              "Asks a human for a short-lived token for you, scoped to the tables and actions a "
              "task needs (never more than your policy allows). Returns a request id at once; "
              "poll access_status with it. Once approved, access_status returns the token (a "
              "user and password for PostgreSQL, also a bearer token for this server) exactly "
              "once.",
              input_schema(
                  {{"allow",
                    {{"type", "array"},
                     {"minItems", 1},
                     {"maxItems", kMaxAllowEntries},
                     {"items", {{"type", "string"}}},
                     {"description",
                      "What the task needs, one entry per table: \"schema.table:action,...\" "
                      "(e.g. \"public.tickets:select,update\")."}}},
                   {"ttl", string_prop("The token's lifetime from collection: 90s, 15m "
                                       "(default), 2h; at most 24h.")},
                   {"max_rows",
                    {{"type", "integer"},
                     {"minimum", 0},
                     {"description", "Optional: most rows one write may change."}}},
                   {"reason", string_prop("Why you need it: what the approver decides on.")}},
                  {"allow", "reason"}),
              request_access_output_schema(), Effect::Additive);
}

json access_status() {
  return tool(tool::kAccessStatus, "Access request status",
              "The state of one of your access requests: pending, denied (with the approver's "
              "note), expired, or approved, when the token is returned; it is returned once, "
              "and later calls say it was collected.",
              input_schema({{"id", string_prop("The id request_access returned.")}}, {"id"}),
              access_status_output_schema(), Effect::Additive);
}

}  // namespace

json tool_definitions(const ToolSet& set) {
  json tools = json::array({list_tables(), describe_table(), query()});
  if (set.execute) tools.push_back(execute());
  tools.push_back(explain());
  tools.push_back(check());
  tools.push_back(approval_status());
  tools.push_back(request_access());
  tools.push_back(access_status());
  return tools;
}

json tool_definition(std::string_view name, const ToolSet& set) {
  for (auto& t : tool_definitions(set)) {
    if (t["name"].get_ref<const std::string&>() == name) return t;
  }
  return nullptr;
}

}  // namespace airlock::mcp
