#pragma once
// Mcp-Name / Mcp-Param-* values (2026-07-28 basic/transports/streamable-http.mdx, "Value
// Encoding"): plain visible ASCII, or `=?base64?<Base64 of UTF-8>?=`. Servers decode before
// comparing with the body.
#include <optional>
#include <string>
#include <string_view>

namespace airlock::mcp {

// The value a header carries after optional whitespace is stripped and the sentinel decoded;
// nullopt when it has characters a header may not carry or the Base64 is invalid.
std::optional<std::string> decode_header_value(std::string_view raw);

}  // namespace airlock::mcp
