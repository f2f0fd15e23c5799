#include "mcp/jsonrpc.hpp"

#include <utility>

namespace airlock::mcp::jsonrpc {

namespace {

Rejected invalid(std::string message, json id = nullptr) {
  return Rejected{Error{code::kInvalidRequest, std::move(message), nullptr}, std::move(id)};
}

}  // namespace

bool nesting_within(std::string_view body, int max_depth) noexcept {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) return false;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return true;
}

bool valid_id(const json& id) noexcept {
  return id.is_string() || id.is_number_integer();  // number_integer covers unsigned too
}

Decoded decode(std::string_view body) {
  if (!nesting_within(body)) {
    return invalid("JSON nested deeper than " + std::to_string(kMaxNesting) + " levels");
  }
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Rejected{Error{code::kParseError, "Parse error: the body is not valid JSON", nullptr},
                    nullptr};
  }
  if (doc.is_array()) return invalid("batches are not supported");
  if (!doc.is_object()) return invalid("the body must be a JSON-RPC object");

  json id = nullptr;
  const bool has_id = doc.contains("id");
  if (has_id) {
    if (!valid_id(doc["id"])) return invalid("id must be a string or an integer");
    id = doc["id"];
  }
  const auto version = doc.find("jsonrpc");
  if (version == doc.end() || !version->is_string() || *version != "2.0") {
    return invalid("jsonrpc must be \"2.0\"", id);
  }

  const auto method = doc.find("method");
  if (method != doc.end()) {
    if (!method->is_string() || method->get_ref<const std::string&>().empty()) {
      return invalid("method must be a non-empty string", id);
    }
    Message m;
    m.kind = has_id ? Kind::Request : Kind::Notification;
    m.id = std::move(id);
    m.method = method->get<std::string>();
    const auto params = doc.find("params");
    if (params != doc.end()) {
      if (!params->is_object()) return invalid("params must be an object", m.id);
      m.params = std::move(*params);
    }
    return m;
  }
  const bool has_result = doc.contains("result");
  const bool has_error = doc.contains("error");
  if (has_id && has_result != has_error) {
    Message m;
    m.kind = Kind::Response;
    m.id = std::move(id);
    return m;
  }
  return invalid("a request needs a method", id);
}

std::string dump(const json& value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string result_response(const json& id, const json& result) {
  json out = {{"jsonrpc", "2.0"}, {"id", id}, {"result", result}};
  return dump(out);
}

std::string error_response(const json& id, const Error& error) {
  json err = {{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) err["data"] = error.data;
  // JSON-RPC 2.0: an error whose request id could not be read has "id": null.
  json out = {{"jsonrpc", "2.0"}, {"id", id}};
  out["error"] = std::move(err);
  return dump(out);
}

}  // namespace airlock::mcp::jsonrpc
