// admin: the HTTP listener for /healthz, /readyz, /metrics and the approvals API (issue #5).
//   admin: {listen: "127.0.0.1:9187", token_env: AIRLOCK_ADMIN_TOKEN}
#include "config/external.hpp"
#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

// The token guards approving writes an agent was refused; a short one could be guessed.
constexpr std::size_t kMinTokenBytes = 16;

}  // namespace

void read_admin(Context& ctx, const YAML::Node& node, const std::string& path, Admin& out) {
  Reader& r = ctx.reader;
  Endpoint listen{"127.0.0.1", 9187};  // a {host:} mapping without port keeps 9187
  bool listen_ok = false;
  bool is_map = r.walk_map(
      node, path, {"listen", "token_env"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "listen") {
          std::size_t errors_before = r.error_count();
          read_listen(ctx, value, key_path, listen);
          listen_ok = r.error_count() == errors_before;
        } else if (!ctx.secrets) {
          r.text(value, key_path);  // shape only: policy tools start no listener
        } else if (auto token = env_secret(r, value, key_path)) {
          if (token->size() < kMinTokenBytes) {
            r.error(value, key_path,
                    "the token in " + value.Scalar() + " is shorter than 16 characters; use a " +
                        "random one, e.g. from `openssl rand -hex 32`");
          } else {
            out.token = std::move(*token);
          }
        }
      },
      {"listen"});
  if (is_map && listen_ok) out.listen = listen;
}

}  // namespace airlock::config::detail
