#include "mcp/tool_args.hpp"

#include <array>
#include <string_view>

#include "core/duration.hpp"
#include "mcp/tool_schema.hpp"

namespace airlock::mcp {

namespace {

using nlohmann::json;

jsonrpc::Error invalid_params(std::string message) {
  return jsonrpc::Error{jsonrpc::code::kInvalidParams, std::move(message), nullptr};
}

// The arguments each tool takes besides `intent`.
struct Shape {
  std::string_view tool;
  bool sql = false;
  bool params = false;
  bool table = false;
  bool id = false;
  bool access = false;  // request_access: allow, ttl, max_rows, reason
};

constexpr std::array<Shape, 9> kShapes = {{
    {tool::kListTables},
    {tool::kDescribeTable, false, false, true, false},
    {tool::kQuery, true, true},
    {tool::kExecute, true, true},
    {tool::kExplain, true, true},
    {tool::kCheck, true, false},
    {tool::kApprovalStatus, false, false, false, true},
    {tool::kRequestAccess, false, false, false, false, true},
    {tool::kAccessStatus, false, false, false, true},
}};

const Shape* shape_of(std::string_view name, const ToolSet& set) {
  if (name == tool::kExecute && !set.execute) return nullptr;
  for (const auto& s : kShapes) {
    if (s.tool == name) return &s;
  }
  return nullptr;
}

bool known_argument(const Shape& s, std::string_view key) {
  return key == "intent" || (s.sql && key == "sql") || (s.params && key == "params") ||
         (s.table && key == "table") || (s.id && key == "id") ||
         (s.access && (key == "allow" || key == "ttl" || key == "max_rows" || key == "reason"));
}

std::string json_quoted(std::string_view s) {
  return jsonrpc::dump(json(std::string(s.substr(0, 64))));
}

// A required or optional string argument; on success `out` holds it.
std::optional<jsonrpc::Error> read_string(const json& args, const char* key, bool required,
                                          std::string& out) {
  const auto it = args.find(key);
  if (it == args.end() || (!required && it->is_null())) {
    if (!required) return std::nullopt;
    return invalid_params(std::string("missing required argument \"") + key + "\"");
  }
  if (!it->is_string()) {
    return invalid_params(std::string("argument \"") + key + "\" must be a string, not " +
                          it->type_name());
  }
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<jsonrpc::Error> read_params(const json& args, ToolRequest& req) {
  const auto it = args.find("params");
  if (it == args.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) {
    return invalid_params(std::string("argument \"params\" must be an array, not ") +
                          it->type_name());
  }
  if (it->size() > kMaxParams) {
    return invalid_params("argument \"params\" has " + std::to_string(it->size()) +
                          " elements; at most " + std::to_string(kMaxParams) + " are allowed");
  }
  req.params.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (v.is_array() || v.is_object() || v.is_binary()) {
      return invalid_params("params[" + std::to_string(i) + "] ($" + std::to_string(i + 1) +
                            ") must be a string, number, boolean or null, not " + v.type_name());
    }
    req.params.push_back(param_text(v));
  }
  return std::nullopt;
}

// request_access: allow (1 to kMaxAllowEntries strings), ttl (a duration), max_rows (an
// integer, 0 or more), reason (required).
std::optional<jsonrpc::Error> read_access(const json& args, ToolRequest& req) {
  const auto allow = args.find("allow");
  if (allow == args.end() || !allow->is_array() || allow->empty() ||
      allow->size() > kMaxAllowEntries) {
    return invalid_params("argument \"allow\" must be an array of 1 to " +
                          std::to_string(kMaxAllowEntries) +
                          " strings \"schema.table:action,...\"");
  }
  for (const auto& e : *allow) {
    if (!e.is_string()) return invalid_params("argument \"allow\" must hold only strings");
    req.allow.push_back(e.get<std::string>());
  }
  std::string ttl;
  if (auto e = read_string(args, "ttl", false, ttl)) return *e;
  if (!ttl.empty()) {
    req.ttl = parse_duration(ttl);
    if (!req.ttl || req.ttl->count() <= 0) {
      return invalid_params("argument \"ttl\" is not a duration (90s, 15m, 2h)");
    }
  }
  if (const auto it = args.find("max_rows"); it != args.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0) {
      return invalid_params("argument \"max_rows\" must be an integer, 0 or more");
    }
    req.max_rows = it->get<std::int64_t>();
  }
  return read_string(args, "reason", true, req.reason);
}

}  // namespace

std::optional<std::string> param_text(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return std::nullopt;
    case json::value_t::string: return value.get<std::string>();
    case json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case json::value_t::number_integer: return std::to_string(value.get<std::int64_t>());
    case json::value_t::number_unsigned: return std::to_string(value.get<std::uint64_t>());
    case json::value_t::number_float: return value.dump();  // shortest round-trip text
    default: return jsonrpc::dump(value);
  }
}

std::variant<ToolRequest, jsonrpc::Error> parse_tool_call(const json& params,
                                                         const json& request_id,
                                                         const ToolSet& set) {
  if (!params.is_object()) return invalid_params("tools/call needs params {name, arguments}");
  const auto name_it = params.find("name");
  if (name_it == params.end() || !name_it->is_string()) {
    return invalid_params("tools/call needs a string \"name\"");
  }
  const auto& name = name_it->get_ref<const std::string&>();
  const Shape* shape = shape_of(name, set);
  if (shape == nullptr) return invalid_params("Unknown tool: " + json_quoted(name));

  static const json kEmpty = json::object();
  const json* args = &kEmpty;
  if (const auto it = params.find("arguments"); it != params.end() && !it->is_null()) {
    if (!it->is_object()) {
      return invalid_params(std::string("\"arguments\" must be an object, not ") +
                            it->type_name());
    }
    args = &*it;
  }
  for (const auto& [key, value] : args->items()) {
    if (!known_argument(*shape, key)) {
      return invalid_params("unknown argument " + json_quoted(key) + " for tool " + name);
    }
  }

  ToolRequest req;
  req.tool = name;
  req.request_id = jsonrpc::dump(request_id);
  if (auto e = read_string(*args, "intent", false, req.intent)) return *e;
  if (shape->sql) {
    if (auto e = read_string(*args, "sql", true, req.sql)) return *e;
    if (req.sql.size() > kMaxSqlBytes) {
      return invalid_params("argument \"sql\" is " + std::to_string(req.sql.size()) +
                            " bytes; at most " + std::to_string(kMaxSqlBytes) + " are allowed");
    }
    if (req.sql.find_first_not_of(" \t\r\n") == std::string::npos) {
      return invalid_params("argument \"sql\" is empty");
    }
    if (req.sql.find('\0') != std::string::npos) {  // PostgreSQL's text cannot hold it
      return invalid_params("argument \"sql\" contains a NUL character");
    }
  }
  if (shape->params) {
    if (auto e = read_params(*args, req)) return *e;
  }
  if (shape->table) {
    if (auto e = read_string(*args, "table", true, req.table)) return *e;
  }
  if (shape->id) {
    if (auto e = read_string(*args, "id", true, req.id)) return *e;
  }
  if (shape->access) {
    if (auto e = read_access(*args, req)) return *e;
  }
  return req;
}

}  // namespace airlock::mcp
