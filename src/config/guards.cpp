// state:, approvals: and an agent's budgets: (issue #4), and the check that holds and
// budgets have a state store to live in.
#include <cstdint>
#include <set>

#include "config/external.hpp"
#include "config/names.hpp"
#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

// Budget names key the state store's rows; same alphabet as agent names.
std::optional<std::string> check_budget_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return "budget names are 1 to 63 characters long";
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return "budget names may contain only letters, digits, '_', '.' and '-'";
  }
  return std::nullopt;
}

// "http://host..." or "https://host...". Only the scheme and a host are checked here; the
// notifier reports anything else when it first sends.
std::optional<std::string> check_webhook_url(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme)) {
      std::string_view rest = url.substr(scheme.size());
      if (rest.empty() || rest.front() == '/' || rest.front() == ':') break;
      if (rest.find_first_of(" \t\r\n") != std::string_view::npos) {
        return "the URL must not contain whitespace";
      }
      return std::nullopt;
    }
  }
  return "expected an http:// or https:// URL with a host";
}


void read_webhook(Context& ctx, const YAML::Node& node, const std::string& path, Webhook& out) {
  Reader& r = ctx.reader;
  r.walk_map(
      node, path, {"url", "timeout", "secret_env"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "url") {
          auto url = r.text(value, key_path);
          if (!url) return;
          if (auto problem = check_webhook_url(*url)) r.error(value, key_path, *problem);
          else out.url = *url;
        } else if (key == "timeout") {
          if (auto d = r.positive_duration(value, key_path)) out.timeout = *d;
        } else {
          if (value.IsScalar()) out.secret_env = value.Scalar();
          if (!ctx.secrets) {
            // Tools that read no secrets still check that a variable is named.
            if (auto name = r.text(value, key_path)) {
              if (auto problem = check_env_name(*name)) r.error(value, key_path, *problem);
            }
          } else if (auto secret = env_secret(r, value, key_path)) {
            out.secret = std::move(*secret);
          }
        }
      },
      {"url"});
}

std::vector<std::string> table_list(Reader& r, const YAML::Node& node, const std::string& path) {
  std::vector<std::string> out;
  auto names = r.text_list(node, path, false);
  if (!names) return out;
  std::size_t index = 0;
  for (const auto& element : node) {
    const std::string& name = (*names)[index];
    if (auto problem = check_qualified_name(name)) {
      r.error(element, item_path(path, index), *problem);
    } else {
      out.push_back(name);
    }
    ++index;
  }
  return out;
}

std::vector<std::string> write_actions(Reader& r, const YAML::Node& node,
                                       const std::string& path) {
  std::vector<std::string> out;
  if (!r.text_list(node, path, false)) return out;
  std::size_t index = 0;
  for (const auto& element : node) {
    auto action =
        r.choice(element, item_path(path, index++), {"insert", "update", "delete", "merge"});
    if (action) out.push_back(std::move(*action));
  }
  return out;
}

void read_budget(Reader& r, const YAML::Node& node, const std::string& path, Budget& out) {
  r.walk_map(
      node, path, {"name", "tables", "actions", "max_rows", "window", "over_limit"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "name") {
          auto name = r.text(value, key_path);
          if (!name) return;
          if (auto problem = check_budget_name(*name)) r.error(value, key_path, *problem);
          else out.id = *name;
        } else if (key == "tables") {
          out.tables = table_list(r, value, key_path);
        } else if (key == "actions") {
          out.actions = write_actions(r, value, key_path);
        } else if (key == "max_rows") {
          // The store counts rows in signed 64 bits.
          auto n = r.integer(value, key_path, 1, UINT64_MAX);
          if (n && *n > static_cast<std::uint64_t>(INT64_MAX)) {
            r.error(value, key_path, "is too large");
          } else if (n) {
            out.max_rows = static_cast<std::int64_t>(*n);
          }
        } else if (key == "window") {
          if (auto d = r.positive_duration(value, key_path)) out.window = *d;
        } else if (auto v = r.choice(value, key_path, {"deny", "hold"})) {
          out.over_limit = *v;
        }
      },
      {"max_rows"});
}

// The first entry of an agent that needs the state store, as (key, line); empty if none.
std::pair<std::string, int> first_stateful(const Agent& agent, const std::string& path) {
  if (!agent.hold.empty()) return {path + ".hold[0]", agent.hold.front().line};
  for (std::size_t i = 0; i < agent.allow.size(); ++i) {
    if (agent.allow[i].over_limit == "hold") {
      return {item_path(path + ".allow", i), agent.allow[i].line};
    }
  }
  if (!agent.budgets.empty()) return {path + ".budgets[0]", agent.budgets.front().line};
  return {};
}

}  // namespace

void read_state(Context& ctx, const YAML::Node& node, const std::string& path, State& out) {
  Reader& r = ctx.reader;
  r.walk_map(
      node, path, {"path"},
      [&](const std::string&, const YAML::Node& value, const std::string& key_path) {
        auto text = r.text(value, key_path);
        if (!text) return;
        auto file = resolve_path(*text, ctx.base_dir);
        // The gateway creates the file; its directory has to exist. Tools that only
        // evaluate policy may run on another machine, so they skip the file system.
        if (ctx.secrets) {
          std::error_code ec;
          auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
          if (std::filesystem::is_directory(file, ec)) {
            r.error(value, key_path, "'" + file.string() + "' is a directory, not a file");
            return;
          }
          if (!std::filesystem::is_directory(dir, ec)) {
            r.error(value, key_path, "directory '" + dir.string() + "' does not exist");
            return;
          }
        }
        out.path = file.string();
      },
      {"path"});
}

void read_approvals(Context& ctx, const YAML::Node& node, const std::string& path,
                    Approvals& out) {
  Reader& r = ctx.reader;
  int hold_line = 0;
  int expire_line = 0;  // 0: not given
  bool valid = true;  // both durations, given or default, are usable for the check below
  r.walk_map(node, path, {"hold_wait", "expire_after", "webhook"},
             [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
               if (key == "hold_wait") {
                 // 0: the agent is told at once that its statement is held.
                 hold_line = line_of(value);
                 auto d = r.duration(value, key_path);
                 valid = valid && d.has_value();
                 if (d) out.hold_wait = *d;
               } else if (key == "expire_after") {
                 expire_line = line_of(value);
                 auto d = r.positive_duration(value, key_path);
                 valid = valid && d.has_value();
                 if (d) out.expire_after = *d;
               } else {
                 read_webhook(ctx, value, key_path, out.webhook);
               }
             });
  // A request that expired while its agent still waits could never be approved in time.
  if (valid && out.expire_after < out.hold_wait) {
    if (expire_line != 0) {
      r.error(expire_line, child_path(path, "expire_after"), "must not be shorter than hold_wait");
    } else {
      r.error(hold_line, child_path(path, "hold_wait"),
              "must not be longer than expire_after (default 1h)");
    }
  }
}

void read_budgets(Context& ctx, const YAML::Node& node, const std::string& path,
                  std::vector<Budget>& out) {
  Reader& r = ctx.reader;
  if (!node.IsSequence()) {
    r.error(node, path, "expected a list of budgets (each starting with '- ')");
    return;
  }
  std::set<std::string, std::less<>> ids;
  std::size_t index = 0;
  for (const auto& entry : node) {
    std::string entry_path = item_path(path, index++);
    Budget budget;
    budget.line = line_of(entry);
    read_budget(r, entry, entry_path, budget);
    // Unnamed budgets are keyed by position: "budgets[0]", whatever the agent's name.
    if (budget.id.empty()) budget.id = item_path("budgets", index - 1);
    if (!ids.insert(budget.id).second) {
      r.error(entry, entry_path, "budget name '" + budget.id + "' is used twice");
      continue;
    }
    out.push_back(std::move(budget));
  }
}

void check_state_needed(Context& ctx, const YAML::Node& root, const Config& config) {
  // Only the gateway keeps holds and budgets; check and policy test never open the store.
  if (!ctx.secrets || !config.state.path.empty()) return;
  // A state section with errors has been reported already; one message is enough.
  if (root.IsMap() && root["state"].IsDefined()) return;
  for (const auto& [name, agent] : config.agents) {
    auto [key, line] = first_stateful(agent, child_path("agents", name));
    if (!key.empty()) {
      ctx.reader.error(line, key,
                       "needs state.path: holds and budgets are kept in the state store");
    }
  }
}

}  // namespace airlock::config::detail
