// masking: (issue #6) the key of the `hash` mask style.
//   masking: {key_env: AIRLOCK_MASKING_KEY}
#include "config/external.hpp"
#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

// The hash hides values only while the key is secret and unguessable: with a weak key,
// anyone holding a hash could test candidate values (phone numbers are few).
constexpr std::size_t kMinKeyBytes = 16;

bool uses_hash(const RuleEntry& rule) {
  for (const auto& m : rule.mask) {
    if (m.style == MaskStyle::Hash) return true;
  }
  return false;
}

void report_hash_rules(Reader& r, const std::vector<RuleEntry>& rules, const std::string& path) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!uses_hash(rules[i])) continue;
    r.error(rules[i].line, child_path(item_path(path, i), "mask"),
            "style hash needs a key: set masking.key_env");
  }
}

}  // namespace

void read_masking(Context& ctx, const YAML::Node& node, const std::string& path, Masking& out) {
  Reader& r = ctx.reader;
  r.walk_map(
      node, path, {"key_env"},
      [&](const std::string&, const YAML::Node& value, const std::string& key_path) {
        if (!ctx.secrets) {
          r.text(value, key_path);  // shape only: policy tools mask nothing
        } else if (auto key = env_secret(r, value, key_path)) {
          if (key->size() < kMinKeyBytes) {
            r.error(value, key_path,
                    "the key in " + value.Scalar() + " is shorter than 16 characters; use a " +
                        "random one, e.g. from `openssl rand -hex 32`");
          } else {
            out.key = std::move(*key);
          }
        }
      },
      {"key_env"});
}

void check_masking_key(Context& ctx, const YAML::Node& root, const Config& config) {
  // A masking section with errors has been reported already; one message is enough.
  if (root.IsMap() && root["masking"].IsDefined()) return;
  for (const auto& [name, agent] : config.agents) {
    const std::string path = child_path("agents", name);
    report_hash_rules(ctx.reader, agent.allow, child_path(path, "allow"));
    report_hash_rules(ctx.reader, agent.hold, child_path(path, "hold"));
  }
}

}  // namespace airlock::config::detail
