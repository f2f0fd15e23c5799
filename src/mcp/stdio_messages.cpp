#include "mcp/stdio_messages.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <istream>

#include "mcp/era.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/versions.hpp"

namespace airlock::mcp::stdio {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxQuoted = 300;  // bytes of a server's non-JSON body quoted back

std::optional<json> parse_json(std::string_view text) {
  if (!jsonrpc::nesting_within(text)) return std::nullopt;
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  return doc;
}

const json* member(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> string_member(const json& object, const char* name) {
  const json* m = member(object, name);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return m->get<std::string>();
}

// The media type without parameters, lower case.
std::string media_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  std::string out;
  for (char c : content_type) {
    if (c != ' ' && c != '\t')
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out +=
        {kDigits[(n >> 18) & 63], kDigits[(n >> 12) & 63], kDigits[(n >> 6) & 63], kDigits[n & 63]};
  }
  if (const std::size_t rest = in.size() - i; rest > 0) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
    if (rest == 2) n |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8;
    out += kDigits[(n >> 18) & 63];
    out += kDigits[(n >> 12) & 63];
    out += rest == 2 ? kDigits[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// A non-JSON body, quoted in a message: one line, bounded, printable.
std::string quote_body(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kMaxQuoted)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  if (body.size() > kMaxQuoted) out += "...";
  return out;
}

// The message a server put in its error body ({"error": {"message": ...}}), or the body.
std::string server_message(std::string_view body) {
  if (auto doc = parse_json(body)) {
    if (const json* error = member(*doc, "error")) {
      if (auto message = string_member(*error, "message")) return *message;
    }
  }
  return quote_body(body);
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

std::string http_status_text(int status, std::string_view detail) {
  std::string out = "HTTP " + std::to_string(status);
  if (!detail.empty()) out += ": " + std::string(detail);
  return out;
}

}  // namespace

Outgoing inspect(std::string_view line) {
  Outgoing out;
  auto doc = parse_json(line);
  if (!doc || !doc->is_object()) return out;
  out.parsed = true;
  if (auto method = string_member(*doc, "method")) out.method = std::move(*method);
  const json* id = member(*doc, "id");
  if (const json* m = member(*doc, "method"); m != nullptr && id != nullptr && !id->is_null()) {
    out.expects_answer = true;
    out.id = *id;
  }
  const json* params = member(*doc, "params");
  if (params == nullptr || !params->is_object()) return out;
  if (const json* meta = member(*params, "_meta")) {
    out.meta_version = string_member(*meta, kMetaProtocolVersion);
  }
  const std::string& m = out.method;
  if (m == "tools/call" || m == "prompts/get") {
    out.name = string_member(*params, "name");
  } else if (m == "resources/read") {
    out.name = string_member(*params, "uri");
  } else if (m.starts_with("tasks/")) {
    out.name = string_member(*params, "taskId");
  }
  return out;
}

McpHeaders mcp_headers(const Outgoing& message, const std::optional<std::string>& negotiated) {
  McpHeaders h;
  if (message.meta_version) {
    h.protocol_version = message.meta_version;
  } else if (negotiated && message.method != "initialize") {
    h.protocol_version = negotiated;
  }
  // A value that cannot be a header is left out: the server then refuses the message
  // (a missing header) instead of the bridge sending a broken request.
  if (h.protocol_version && !plain_header_value(*h.protocol_version)) h.protocol_version.reset();
  const bool modern = message.meta_version && is_modern_version(*message.meta_version);
  if (modern && !message.method.empty() && plain_header_value(message.method)) {
    h.method = message.method;
    if (message.name) h.name = encode_header_value(*message.name);
  }
  return h;
}

bool plain_header_value(std::string_view value) {
  if (value.empty()) return true;
  if (value.front() == ' ' || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u <= 0x7e;
  });
}

std::string encode_header_value(std::string_view value) {
  constexpr std::string_view kPrefix = "=?base64?";
  constexpr std::string_view kSuffix = "?=";
  // A plain value that looks like the sentinel is encoded too, so that it decodes to itself.
  const bool looks_encoded = value.starts_with(kPrefix) && value.ends_with(kSuffix);
  if (plain_header_value(value) && !looks_encoded) return std::string(value);
  return std::string(kPrefix) + base64(value) + std::string(kSuffix);
}

std::optional<std::string> negotiated_version(std::string_view response) {
  auto doc = parse_json(response);
  if (!doc) return std::nullopt;
  const json* result = member(*doc, "result");
  if (result == nullptr) return std::nullopt;
  return string_member(*result, "protocolVersion");
}

std::vector<std::string> sse_data(std::string_view body) {
  std::vector<std::string> events;
  std::string data;
  bool has_data = false;
  auto dispatch = [&] {
    if (has_data) events.push_back(std::move(data));
    data.clear();
    has_data = false;
  };
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find_first_of("\r\n", pos);
    const std::string_view line =
        body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (end == std::string_view::npos) {
      pos = body.size();
    } else {
      pos = end + 1;
      if (body[end] == '\r' && pos < body.size() && body[pos] == '\n') ++pos;  // CRLF
    }
    if (line.empty()) {
      dispatch();
      continue;
    }
    if (line.front() == ':') continue;  // a comment
    const std::size_t colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    std::string_view value =
        colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field != "data") continue;  // event, id, retry: nothing the client needs
    if (has_data) data.push_back('\n');
    data.append(value);
    has_data = true;
  }
  dispatch();
  return events;
}

std::string one_line(std::string_view json_text) {
  std::string out(json_text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string error_line(const json& id, int code, std::string_view message, const json& data) {
  json error = {{"code", code}, {"message", std::string(message)}};
  if (!data.is_null()) error["data"] = data;
  const json out = {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
  return jsonrpc::dump(out);
}

Translation translate(const Outgoing& message, const HttpAnswer& answer) {
  Translation t;
  const int status = answer.status;
  const bool ok = status >= 200 && status <= 299;
  const std::string type = media_type(answer.content_type);

  if (status == 401 || status == 403) {
    const std::string said = server_message(answer.body);
    const std::string text = status == 401 ? std::string(kBearerRefused)
                                           : "the MCP server refused the request (" +
                                                 http_status_text(status, said) + ")";
    t.note = status == 401 ? text + " (" + http_status_text(status, said) + ")" : text;
    if (message.expects_answer) {
      t.lines.push_back(
          error_line(message.id, kRefused, text, {{"status", status}, {"server", said}}));
    }
    return t;
  }

  if (blank(answer.body)) {
    if (!ok) {
      t.note = "the MCP server answered " + http_status_text(status, "no body");
      if (message.expects_answer)
        t.lines.push_back(error_line(message.id, kTransportError, t.note));
    }
    return t;  // 202 and other empty 2xx: nothing to answer
  }

  if (type == "text/event-stream") {
    for (std::string& data : sse_data(answer.body)) {
      if (!blank(data)) t.lines.push_back(one_line(data));
    }
    if (!ok) t.note = "the MCP server answered " + http_status_text(status, "(an event stream)");
    return t;
  }

  auto doc = parse_json(answer.body);
  if (!doc) {
    // A proxy's error page, a wrong URL, ...: the client must not wait for an answer.
    t.note = "the MCP server answered " +
             http_status_text(status, (type.empty() ? std::string("no content type") : type) +
                                          " (not JSON): " + quote_body(answer.body));
    if (message.expects_answer) {
      t.lines.push_back(error_line(message.id, kTransportError, t.note));
    } else if (!message.parsed) {
      t.lines.push_back(error_line(nullptr, kTransportError, t.note));
    }
    return t;
  }

  if (ok || !message.parsed) {
    t.lines.push_back(one_line(answer.body));
    return t;
  }
  if (!message.expects_answer) {
    // A notification or a posted response: nobody waits for an answer.
    t.note = "the MCP server refused a " +
             (message.method.empty() ? std::string("response") : message.method) +
             " notification: " + http_status_text(status, server_message(answer.body));
    return t;
  }
  // An error without an id (the HTTP layer's refusals) gets the request's, so that the
  // client fails this request instead of waiting for it.
  if (doc->is_object() && doc->contains("error")) {
    const json* id = member(*doc, "id");
    if (id == nullptr || id->is_null()) {
      (*doc)["id"] = message.id;
      t.lines.push_back(jsonrpc::dump(*doc));
      return t;
    }
  }
  t.lines.push_back(one_line(answer.body));
  return t;
}

LineRead read_line(std::istream& in, std::string& line, std::size_t max_bytes) {
  line.clear();
  bool too_long = false;
  bool any = false;
  std::array<char, 64 * 1024> chunk{};
  for (;;) {
    in.getline(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    const bool newline = !in.eof() && !in.fail();  // the delimiter was extracted (and counted)
    const std::size_t stored = newline ? n - 1 : n;
    if (n > 0) any = true;
    if (!too_long) {
      if (line.size() + stored > max_bytes) {
        line.append(chunk.data(), max_bytes - line.size());
        too_long = true;
      } else {
        line.append(chunk.data(), stored);
      }
    }
    if (newline) break;
    if (in.eof() || in.bad()) break;
    in.clear();  // failbit: the chunk filled up before the end of the line
  }
  if (!any) return LineRead::End;
  if (too_long) return LineRead::TooLong;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return LineRead::Line;
}

Translation transport_failure(const Outgoing& message, std::string_view what) {
  Translation t;
  t.note = std::string(what);
  if (message.expects_answer) {
    t.lines.push_back(error_line(message.id, kTransportError, what));
  } else if (!message.parsed) {
    t.lines.push_back(error_line(nullptr, kTransportError, what));
  }
  return t;
}

}  // namespace airlock::mcp::stdio
