#include "mcp/era.hpp"

#include "mcp/header_value.hpp"
#include "mcp/versions.hpp"

namespace airlock::mcp {

namespace {

using nlohmann::json;

EraRejection mismatch(std::string message) {
  return EraRejection{400, jsonrpc::Error{jsonrpc::code::kHeaderMismatch,
                                          "Header mismatch: " + std::move(message), nullptr}};
}

EraRejection bad_envelope(std::string message) {
  return EraRejection{400, jsonrpc::Error{jsonrpc::code::kInvalidParams,
                                          "Invalid params: " + std::move(message), nullptr}};
}

const json* meta_of(const json& params) {
  if (!params.is_object()) return nullptr;
  const auto it = params.find("_meta");
  return it != params.end() && it->is_object() ? &*it : nullptr;
}

// The per-request envelope (basic/index.mdx "Per-request protocol fields"): protocolVersion
// and clientCapabilities are required; a missing one is -32602 on HTTP 400.
std::optional<EraRejection> check_envelope(const json& meta) {
  const auto version = meta.find(kMetaProtocolVersion);
  if (!version->is_string()) return bad_envelope(std::string(kMetaProtocolVersion) + " must be a string");
  const auto caps = meta.find(kMetaClientCapabilities);
  if (caps == meta.end()) return bad_envelope(std::string("_meta lacks ") + kMetaClientCapabilities);
  if (!caps->is_object()) return bad_envelope(std::string(kMetaClientCapabilities) + " must be an object");
  const auto info = meta.find(kMetaClientInfo);
  if (info != meta.end() && !info->is_object()) {
    return bad_envelope(std::string(kMetaClientInfo) + " must be an object");
  }
  return std::nullopt;
}

// Standard headers on a modern request (streamable-http.mdx "Server Validation").
std::optional<EraRejection> check_standard_headers(const HttpMeta& http,
                                                   const jsonrpc::Message& m) {
  if (!http.protocol_version) return mismatch("the MCP-Protocol-Version header is missing");
  if (!http.method) return mismatch("the Mcp-Method header is missing");
  if (m.method != "tools/call") return std::nullopt;
  const auto name = m.params.is_object() ? m.params.find("name") : m.params.end();
  const bool body_has_name = m.params.is_object() && name != m.params.end() && name->is_string();
  if (!http.name) {
    if (!body_has_name) return std::nullopt;  // params validation reports the missing name
    return mismatch("the Mcp-Name header is missing");
  }
  const auto decoded = decode_header_value(*http.name);
  if (!decoded) return mismatch("the Mcp-Name header is not a valid header value");
  if (body_has_name && *decoded != name->get_ref<const std::string&>()) {
    return mismatch("the Mcp-Name header does not match params.name");
  }
  return std::nullopt;
}

}  // namespace

Era classify_era(const HttpMeta& http, const jsonrpc::Message& m) {
  const json* meta = meta_of(m.params);
  const bool claim = meta != nullptr && meta->contains(kMetaProtocolVersion);
  const bool header_modern = http.protocol_version && is_modern_version(*http.protocol_version);

  if (!claim) {
    if (m.method == "initialize" && header_modern) {
      return mismatch("initialize (the legacy handshake) was sent with MCP-Protocol-Version " +
                      *http.protocol_version);
    }
    if (header_modern && m.kind == jsonrpc::Kind::Request) {
      return bad_envelope("the MCP-Protocol-Version header names " + *http.protocol_version +
                          " but params._meta lacks " + kMetaProtocolVersion);
    }
    if (m.method != "initialize" && http.protocol_version &&
        !is_legacy_supported(*http.protocol_version) && !header_modern) {
      jsonrpc::Error e{jsonrpc::code::kInvalidRequest,
                       "Bad Request: unsupported MCP-Protocol-Version " + *http.protocol_version,
                       nullptr};
      return EraRejection{400, std::move(e)};
    }
    return LegacyEra{};
  }

  if (auto bad = check_envelope(*meta)) return *bad;
  const std::string version = (*meta)[kMetaProtocolVersion].get<std::string>();
  if (http.protocol_version && *http.protocol_version != version) {
    return mismatch("MCP-Protocol-Version " + *http.protocol_version +
                    " does not match the body's " + version);
  }
  if (http.method && *http.method != m.method) {
    return mismatch("Mcp-Method " + *http.method + " does not match the body's " + m.method);
  }
  if (version != kModernVersion) {
    if (is_legacy_supported(version) && m.method != "server/discover") return LegacyEra{};
    json supported = json::array({std::string(kModernVersion)});
    for (auto v : kLegacyVersions) supported.push_back(std::string(v));
    jsonrpc::Error e{jsonrpc::code::kUnsupportedProtocolVersion, "Unsupported protocol version",
                     {{"supported", std::move(supported)}, {"requested", version}}};
    return EraRejection{400, std::move(e)};
  }
  if (m.kind == jsonrpc::Kind::Request) {
    if (auto bad = check_standard_headers(http, m)) return *bad;
  }
  return ModernEra{version};
}

}  // namespace airlock::mcp
