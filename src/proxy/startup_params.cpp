#include "proxy/startup_params.hpp"

#include <algorithm>
#include <cctype>

#include "core/utf8.hpp"

namespace airlock::proxy {
namespace {

constexpr std::size_t kMaxValueBytes = 4096;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 63) return false;
  return std::all_of(n.begin(), n.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '.';
  });
}

bool valid_value(std::string_view v) {
  if (v.size() > kMaxValueBytes || !valid_utf8(v)) return false;
  return std::none_of(v.begin(), v.end(),
                      [](unsigned char c) { return c < 0x20 || c == 0x7F; });
}

std::unexpected<Error> refuse(std::string_view name, std::string_view why) {
  // Echo the client's key only when it is a plain name: it reaches logs and the client.
  const std::string shown = valid_name(name) ? "\"" + std::string(name) + "\"" : "(unprintable)";
  return fail(sqlstate::kInsufficientPrivilege,
              "airlock: startup parameter " + shown + " " + std::string(why));
}

// Checks one setting and appends it (or reports why not). The pinned settings are
// accepted only with their safe value and are re-added at the end anyway.
Status add_setting(std::string_view raw_name, std::string_view value,
                   const std::vector<std::string>& extra, ClientStartup& out) {
  const std::string name = lower(raw_name);
  if (!valid_name(name)) return refuse(raw_name, "is not a valid setting name");
  if (!valid_value(value)) return refuse(raw_name, "has an invalid value");
  if (name == "client_encoding") {
    if (!is_utf8_encoding_name(value)) {
      return refuse(raw_name, "must be UTF8: Airlock parses SQL as UTF-8");
    }
    return {};
  }
  if (name == "standard_conforming_strings") {
    const std::string v = lower(value);
    if (v != "on" && v != "true" && v != "1" && v != "yes") {
      return refuse(raw_name, "must be on: Airlock parses SQL with standard strings");
    }
    return {};
  }
  const auto& builtin = default_allowed_startup_settings();
  const bool allowed = std::find(builtin.begin(), builtin.end(), name) != builtin.end() ||
                       std::find(extra.begin(), extra.end(), name) != extra.end();
  if (!allowed) return refuse(raw_name, "is not allowed by this gateway");
  for (auto& [k, v] : out.settings) {
    if (k == name) {
      v = std::string(value);  // -c options override, as in PostgreSQL
      return {};
    }
  }
  out.settings.emplace_back(name, std::string(value));
  return {};
}

}  // namespace

const std::vector<std::string>& default_allowed_startup_settings() {
  static const std::vector<std::string> names = {
      "application_name", "datestyle", "timezone", "intervalstyle", "extra_float_digits",
      "search_path", "bytea_output", "statement_timeout", "lock_timeout",
      "idle_in_transaction_session_timeout", "default_transaction_isolation",
      "default_transaction_read_only", "geqo", "jit", "lc_monetary", "lc_numeric", "lc_time",
      "xmlbinary", "xmloption"};
  return names;
}

Result<std::vector<std::pair<std::string, std::string>>> split_options(std::string_view options) {
  // Tokenize on unescaped whitespace; backslash escapes the next character.
  std::vector<std::string> tokens;
  std::string cur;
  bool in_token = false;
  for (std::size_t i = 0; i < options.size(); ++i) {
    const char c = options[i];
    if (c == '\\' && i + 1 < options.size()) {
      cur.push_back(options[++i]);
      in_token = true;
    } else if (c == ' ' || c == '\t') {
      if (in_token) tokens.push_back(std::move(cur));
      cur.clear();
      in_token = false;
    } else {
      cur.push_back(c);
      in_token = true;
    }
  }
  if (in_token) tokens.push_back(std::move(cur));

  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::string_view t = tokens[i];
    std::string_view kv;
    if (t == "-c") {
      if (i + 1 >= tokens.size()) return refuse("options", "has -c without a setting");
      kv = tokens[++i];
    } else if (t.starts_with("-c")) {
      kv = t.substr(2);
    } else if (t.starts_with("--")) {
      kv = t.substr(2);
    } else {
      return refuse("options", "may only hold -c name=value settings");
    }
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return refuse("options", "has a setting without name=value");
    }
    std::string name(kv.substr(0, eq));
    std::replace(name.begin(), name.end(), '-', '_');  // --search-path=x is allowed too
    out.emplace_back(std::move(name), std::string(kv.substr(eq + 1)));
  }
  return out;
}

Result<ClientStartup> validate_startup(const protocol::StartupMessage& msg,
                                       const std::vector<std::string>& extra_allowed) {
  ClientStartup out;
  for (const auto& [key, value] : msg.params) {
    if (key == "user") {
      // The user name reaches log lines and the password-failure message: same rules.
      if (!valid_value(value)) return refuse(key, "has an invalid value");
      out.user = value;
    } else if (key == "database") {
      if (!valid_value(value)) return refuse(key, "has an invalid value");
      out.database = value;
    } else if (key == "options") {
      auto opts = split_options(value);
      if (!opts) return std::unexpected(opts.error());
      for (const auto& [n, v] : *opts) {
        if (auto st = add_setting(n, v, extra_allowed, out); !st) return std::unexpected(st.error());
      }
    } else if (key == "replication") {
      return refuse(key, "is not supported: Airlock serves regular sessions only");
    } else if (key.starts_with("_pq_.")) {
      return fail(sqlstate::kFeatureNotSupported,
                  "airlock: protocol extension \"" + key + "\" is not supported");
    } else {
      if (auto st = add_setting(key, value, extra_allowed, out); !st) return std::unexpected(st.error());
      if (lower(key) == "application_name") out.application_name = value;
    }
  }
  if (out.user.empty()) {
    return fail(sqlstate::kInvalidAuthSpec, "no PostgreSQL user name specified in startup packet");
  }
  out.settings.emplace_back("client_encoding", "UTF8");
  out.settings.emplace_back("standard_conforming_strings", "on");
  return out;
}

}  // namespace airlock::proxy
