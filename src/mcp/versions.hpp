#pragma once
// The MCP revisions Airlock serves. Legacy revisions open with `initialize` (one negotiated
// version per connection); the modern revision 2026-07-28 names its version in every request's
// `_meta` (docs/specification/2026-07-28/basic/versioning.mdx). Airlock is dual-era.
#include <array>
#include <string_view>

namespace airlock::mcp {

inline constexpr std::string_view kModernVersion = "2026-07-28";
// Newest first: the answer to an `initialize` naming a version we do not serve is the first.
inline constexpr std::array<std::string_view, 3> kLegacyVersions = {"2025-11-25", "2025-06-18",
                                                                    "2025-03-26"};

// Revisions named by date compare as strings; 2026-07-28 and later are modern
// (typescript-sdk packages/core-internal/src/shared/protocolEras.ts isModernProtocolVersion).
constexpr bool is_modern_version(std::string_view v) { return v >= kModernVersion; }

constexpr bool is_legacy_supported(std::string_view v) {
  for (auto s : kLegacyVersions) {
    if (s == v) return true;
  }
  return false;
}

// initialize: the client's version when we serve it, else our newest legacy one
// (2025-11-25 basic/lifecycle.mdx "Version Negotiation").
constexpr std::string_view negotiate_legacy(std::string_view requested) {
  return is_legacy_supported(requested) ? requested : kLegacyVersions.front();
}

}  // namespace airlock::mcp
