// Sections about the listening side: listen, unix_socket_dir, tls.
#include <sys/un.h>

#include <charconv>

#include "config/external.hpp"
#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

std::optional<std::uint16_t> read_port(Reader& reader, const YAML::Node& node,
                                       const std::string& path) {
  auto port = reader.integer(node, path, 1, 65535);
  if (!port) return std::nullopt;
  return static_cast<std::uint16_t>(*port);
}

// "host:port", "[v6addr]:port".
void read_listen_string(Reader& reader, const YAML::Node& node, const std::string& path,
                        Endpoint& out) {
  const std::string& s = node.Scalar();
  std::string host;
  std::string port;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find("]:");
    if (close == std::string::npos) {
      reader.error(node, path,
                   "expected \"[address]:port\" for an IPv6 address, got '" + s + "'");
      return;
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string::npos || s.find(':') != colon) {
      reader.error(node, path, "expected \"host:port\" (or {host:, port:}), got '" + s + "'");
      return;
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  if (host.empty()) {
    reader.error(node, path, "the host part of '" + s + "' is empty");
    return;
  }
  unsigned parsed = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), parsed);
  if (ec != std::errc{} || end != port.data() + port.size() || parsed < 1 || parsed > 65535) {
    reader.error(node, path, "port must be an integer between 1 and 65535, got '" + port + "'");
    return;
  }
  out.host = host;
  out.port = static_cast<std::uint16_t>(parsed);
}

}  // namespace

void read_listen(Context& ctx, const YAML::Node& node, const std::string& path, Endpoint& out) {
  if (node.IsScalar()) {
    read_listen_string(ctx.reader, node, path, out);
    return;
  }
  if (!node.IsMap()) {
    ctx.reader.error(node, path, "expected \"host:port\" or a mapping {host:, port:}");
    return;
  }
  ctx.reader.walk_map(node, path, {"host", "port"},
                      [&](const std::string& key, const YAML::Node& value,
                          const std::string& key_path) {
                        if (key == "host") {
                          if (auto host = ctx.reader.text(value, key_path)) out.host = *host;
                        } else if (auto port = read_port(ctx.reader, value, key_path)) {
                          out.port = *port;
                        }
                      });
}

void read_unix_socket_dir(Context& ctx, const YAML::Node& node, const std::string& path,
                          std::string& out) {
  auto dir = existing_directory(ctx.reader, node, path, ctx.base_dir);
  if (!dir) return;
  // The socket is <dir>/.s.PGSQL.<port>; it has to fit in sockaddr_un::sun_path.
  constexpr std::size_t kLongestSuffix = sizeof("/.s.PGSQL.65535") - 1;
  if (dir->size() + kLongestSuffix >= sizeof(sockaddr_un{}.sun_path)) {
    ctx.reader.error(node, path, "directory path is too long for a unix socket path");
    return;
  }
  out = *dir;
}

void read_tls(Context& ctx, const YAML::Node& node, const std::string& path,
              std::optional<TlsServer>& out) {
  TlsServer tls;
  std::size_t errors_before = ctx.reader.error_count();
  bool is_map = ctx.reader.walk_map(
      node, path, {"cert", "key"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        auto file = readable_file(ctx.reader, value, key_path, ctx.base_dir);
        if (key == "cert" && file) tls.cert_file = *file;
        if (key == "key" && file) tls.key_file = *file;
      },
      {"cert", "key"});
  if (is_map && ctx.reader.error_count() == errors_before) out = std::move(tls);
}

}  // namespace airlock::config::detail
