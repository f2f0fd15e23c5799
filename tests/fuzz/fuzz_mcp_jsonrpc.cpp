// MCP POST bodies: arbitrary bytes through the JSON-RPC decoder, the era rules and the
// tools/call argument checks (no backend). Must never crash, throw or recurse without bound.
// Run: build/fuzz/tests/fuzz/fuzz_mcp_jsonrpc tests/fuzz/corpus/mcp_jsonrpc
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "mcp/era.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/tool_args.hpp"

using namespace airlock::mcp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = jsonrpc::decode(body);
  if (auto* rejected = std::get_if<jsonrpc::Rejected>(&decoded)) {
    (void)jsonrpc::error_response(rejected->id, rejected->error);
    return 0;
  }
  const auto& msg = std::get<jsonrpc::Message>(decoded);
  HttpMeta http;
  http.protocol_version = "2026-07-28";
  http.method = msg.method;
  http.name = size > 0 ? std::string(body.substr(0, 16)) : std::string();
  (void)classify_era(http, msg);
  (void)classify_era(HttpMeta{}, msg);
  for (const bool execute : {false, true}) {
    auto parsed = parse_tool_call(msg.params, msg.id, ToolSet{.execute = execute});
    if (auto* error = std::get_if<jsonrpc::Error>(&parsed)) {
      (void)jsonrpc::error_response(msg.id, *error);
    }
  }
  return 0;
}
