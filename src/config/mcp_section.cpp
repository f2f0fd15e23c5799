// mcp: the MCP server's listener and bounds (issue #12; docs/mcp.md).
//   mcp: {listen: "127.0.0.1:8765", allowed_origins: ["http://localhost:6274"], max_rows: 500}
#include "config/sections.hpp"

namespace airlock::config::detail {

void read_mcp(Context& ctx, const YAML::Node& node, const std::string& path, Mcp& out) {
  Reader& r = ctx.reader;
  Endpoint listen{"127.0.0.1", 8765};
  bool listen_ok = false;
  bool is_map = r.walk_map(
      node, path,
      {"listen", "tls", "allowed_origins", "max_rows", "max_result_bytes", "max_request_bytes",
       "session_idle", "auth_failures"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "listen") {
          const std::size_t errors_before = r.error_count();
          read_listen(ctx, value, key_path, listen);
          listen_ok = r.error_count() == errors_before;
        } else if (key == "tls") {
          read_tls(ctx, value, key_path, out.tls);
        } else if (key == "allowed_origins") {
          if (auto list = r.text_list(value, key_path, true)) {
            for (const auto& origin : *list) {
              if (origin.find("://") == std::string::npos || origin.back() == '/') {
                r.error(value, key_path,
                        "an origin is scheme://host[:port] without a path, e.g. "
                        "http://localhost:6274");
              }
            }
            out.allowed_origins = std::move(*list);
          }
        } else if (key == "max_rows") {
          if (auto n = r.integer(value, key_path, 1, 100'000)) out.max_rows = *n;
        } else if (key == "max_result_bytes") {
          if (auto n = r.size(value, key_path, 1024, std::size_t{256} << 20)) out.max_result_bytes = *n;
        } else if (key == "max_request_bytes") {
          if (auto n = r.size(value, key_path, 1024, std::size_t{64} << 20)) out.max_request_bytes = *n;
        } else if (key == "auth_failures") {
          if (auto n = r.integer(value, key_path, 1, 1'000'000)) out.auth_failures = static_cast<std::uint32_t>(*n);
        } else if (auto d = r.positive_duration(value, key_path)) {
          out.session_idle = *d;
        }
      },
      {"listen"});
  if (is_map && listen_ok) out.listen = listen;
}

}  // namespace airlock::config::detail
