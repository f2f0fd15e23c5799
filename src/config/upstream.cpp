// The upstream section: the PostgreSQL server Airlock logs in to on the agents' behalf.
#include "config/external.hpp"
#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

UpstreamSslMode to_sslmode(const std::string& s) {
  if (s == "disable") return UpstreamSslMode::Disable;
  if (s == "require") return UpstreamSslMode::Require;
  if (s == "verify-full") return UpstreamSslMode::VerifyFull;
  return UpstreamSslMode::Prefer;
}

}  // namespace

void read_upstream(Context& ctx, const YAML::Node& node, const std::string& path,
                   Upstream& out) {
  Reader& r = ctx.reader;
  bool have_password_env = false;
  bool have_password = false;
  int sslmode_line = 0;
  bool have_rootcert = false;
  bool is_map = r.walk_map(
      node, path,
      {"host", "port", "database", "user", "password_env", "password", "sslmode", "sslrootcert"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "host") {
          if (auto host = r.text(value, key_path)) out.host = *host;
        } else if (key == "port") {
          if (auto port = r.integer(value, key_path, 1, 65535)) {
            out.port = static_cast<std::uint16_t>(*port);
          }
        } else if (key == "database") {
          if (auto db = r.text(value, key_path)) out.database = *db;
        } else if (key == "user") {
          if (auto user = r.text(value, key_path)) out.user = *user;
        } else if (key == "password_env") {
          have_password_env = true;
          if (have_password) {
            r.error(value, key_path, "set either password_env or password, not both");
          } else if (!ctx.secrets) {
            r.text(value, key_path);  // shape only: policy tools never connect upstream
          } else if (auto secret = env_secret(r, value, key_path)) {
            out.password = std::move(*secret);
          }
        } else if (key == "password") {
          have_password = true;
          if (have_password_env) {
            r.error(value, key_path, "set either password_env or password, not both");
          } else if (auto secret = r.text(value, key_path)) {
            out.password = std::move(*secret);
          }
        } else if (key == "sslmode") {
          sslmode_line = line_of(value);
          auto mode = r.choice(value, key_path, {"disable", "prefer", "require", "verify-full"});
          if (mode) out.sslmode = to_sslmode(*mode);
        } else {
          have_rootcert = true;
          if (auto file = readable_file(r, value, key_path, ctx.base_dir)) {
            out.sslrootcert = *file;
          }
        }
      },
      {"database", "user"});
  if (!is_map) return;
  if (out.sslmode == UpstreamSslMode::VerifyFull && !have_rootcert) {
    r.error(sslmode_line, child_path(path, "sslrootcert"),
            "sslmode verify-full needs sslrootcert (the CA certificate to verify against)");
  }
}

}  // namespace airlock::config::detail
