#include "http/approvals_api.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "http/approval_json.hpp"

namespace airlock::http {
namespace {

constexpr std::string_view kPrefix = "/v1/approvals";
constexpr std::size_t kMaxList = 1000;
constexpr std::size_t kMaxField = 1000;  // bytes of "note" or "by"

Response method_not_allowed(const char* allow) {
  Response r = Response::json_error(405, "method not allowed");
  r.headers.emplace_back("Allow", allow);
  return r;
}

// A store failure (not a refusal): the message may name SQLite internals, which an
// authenticated approver may see; it is also what the CLI prints.
Response store_failure(const Error& e) { return Response::json_error(500, e.message); }

Response list(const Target& target, state::Store& store, std::int64_t now_ms) {
  state::ApprovalFilter filter;
  filter.status = state::ApprovalStatus::Pending;
  for (const auto& [key, value] : target.query) {
    if (key == "status") {
      if (value == "all") {
        filter.status.reset();
      } else if (auto s = state::approval_status_from(value)) {
        filter.status = *s;
      } else {
        return Response::json_error(
            400, "status must be one of pending, approved, denied, executed, expired, all");
      }
    } else if (key == "agent") {
      filter.agent = value;
    } else if (key == "limit") {
      std::size_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc{} || end != value.data() + value.size() || n < 1 || n > kMaxList) {
        return Response::json_error(400, "limit must be an integer between 1 and 1000");
      }
      filter.limit = n;
    } else {
      return Response::json_error(
          400, "unknown query parameter '" + key + "' (expected status, agent, limit)");
    }
  }
  auto found = store.list_approvals(filter, now_ms);
  if (!found) return store_failure(found.error());
  return Response::json(200, approvals_json(*found) + "\n");
}

Response show(std::string_view id, state::Store& store, std::int64_t now_ms) {
  auto found = store.get_approval(id, now_ms);
  if (!found) return store_failure(found.error());
  if (!*found) return Response::json_error(404, "no approval " + std::string(id));
  return Response::json(200, approval_json(**found) + "\n");
}

struct Decision {
  std::string by = "admin-api";
  std::string note;
};

// The optional body {"note": "...", "by": "..."}; anything else is refused, not ignored.
std::optional<std::string> parse_decision(const std::string& body, Decision& out) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return "the body must be a JSON object";
  for (const auto& [key, value] : j.items()) {
    if (key != "note" && key != "by") {
      return "unknown field '" + key + "' (expected note, by)";
    }
    if (!value.is_string()) return "'" + key + "' must be a string";
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxField) return "'" + key + "' is longer than 1000 bytes";
    if (key == "note")
      out.note = text;
    else if (!text.empty())
      out.by = text;
  }
  return std::nullopt;
}

Response decide(const Request& request, std::string_view id, bool approve, state::Store& store,
                std::int64_t now_ms) {
  Decision d;
  if (auto problem = parse_decision(request.body, d)) return Response::json_error(400, *problem);
  auto decided = store.decide_approval(id, approve, d.by, d.note, now_ms);
  if (decided) return Response::json(200, approval_json(*decided) + "\n");
  const Error& e = decided.error();
  if (e.sqlstate == state::kNotFound) return Response::json_error(404, e.message);
  if (e.sqlstate == state::kWrongState) return Response::json_error(409, e.message);
  return store_failure(e);
}

// Ids are "apr_" + hex; anything outside [A-Za-z0-9_-] cannot be one.
bool plausible_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Response handle_approvals(const Request& request, const Target& target, state::Store& store,
                          std::int64_t now_ms) {
  std::string_view rest = std::string_view(target.path).substr(kPrefix.size());
  if (rest.empty() || rest == "/") {
    if (request.method != "GET") return method_not_allowed("GET");
    return list(target, store, now_ms);
  }
  rest.remove_prefix(1);  // '/'
  std::size_t slash = rest.find('/');
  std::string_view id = rest.substr(0, slash);
  if (!plausible_id(id)) return Response::json_error(404, "not found");
  if (slash == std::string_view::npos) {
    if (request.method != "GET") return method_not_allowed("GET");
    return show(id, store, now_ms);
  }
  std::string_view action = rest.substr(slash + 1);
  if (action != "approve" && action != "deny") return Response::json_error(404, "not found");
  if (request.method != "POST") return method_not_allowed("POST");
  return decide(request, id, action == "approve", store, now_ms);
}

}  // namespace airlock::http
