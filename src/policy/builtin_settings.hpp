#pragma once
// Internal: run-time parameters by name (lower case, as sql::SettingChange reports them).
#include <string_view>

namespace airlock::policy::detail {

enum class SettingClass {
  Harmless,   // session cosmetics and timeouts: SET allowed (builtin.session_setting)
  ReadWrite,  // transaction_read_only, default_transaction_read_only: builtin.read_write_mode
  SearchPath, // allowed and tracked: later statements resolve names through it
  Identity,   // role, session_authorization: builtin.setting_denied ("who you are")
  Lexical,    // standard_conforming_strings, client_encoding, ...: ("how SQL is read")
  Other,      // anything else: builtin.setting_denied
};

SettingClass classify_setting(std::string_view name);

// Parameters whose value SHOW and current_setting() may not reveal (file paths, commands,
// connection strings): builtin.setting_read. "all" (SHOW ALL) is one of them.
bool is_sensitive_setting(std::string_view name);

// A boolean as PostgreSQL reads it (prefixes of true/false/yes/no, on/of(f), 1/0; any case):
// 1 true, 0 false, -1 not a boolean.
int parse_bool(std::string_view value);

}  // namespace airlock::policy::detail
