// Which SET is harmless. The list is deliberately short: a setting not named here is
// refused, and an administrator who needs one can ask for it to be added.
#include "policy/builtin_settings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace airlock::policy::detail {
namespace {

constexpr std::string_view kHarmless[] = {
    "application_name", "bytea_output", "client_min_messages", "datestyle",
    "default_transaction_deferrable", "default_transaction_isolation", "extra_float_digits",
    "idle_in_transaction_session_timeout", "idle_session_timeout", "intervalstyle", "jit",
    "lc_monetary", "lc_numeric", "lc_time", "lock_timeout", "statement_timeout", "timezone",
    "transaction_deferrable", "transaction_isolation", "transaction_snapshot", "xmlbinary",
    "xmloption",
};

constexpr std::string_view kLexical[] = {
    "backslash_quote", "client_encoding", "escape_string_warning", "standard_conforming_strings",
};

constexpr std::string_view kSensitive[] = {
    "all", "archive_cleanup_command", "archive_command", "config_file", "data_directory",
    "dynamic_library_path", "external_pid_file", "hba_file", "ident_file", "krb_server_keyfile",
    "local_preload_libraries", "log_directory", "primary_conninfo", "primary_slot_name",
    "recovery_end_command", "restore_command", "session_preload_libraries",
    "shared_preload_libraries", "ssl_ca_file", "ssl_cert_file", "ssl_crl_dir", "ssl_crl_file",
    "ssl_key_file", "ssl_passphrase_command", "unix_socket_directories",
};

template <std::size_t N>
bool contains(const std::string_view (&list)[N], std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

}  // namespace

SettingClass classify_setting(std::string_view name) {
  if (name == "transaction_read_only" || name == "default_transaction_read_only")
    return SettingClass::ReadWrite;
  if (name == "search_path") return SettingClass::SearchPath;
  if (name == "role" || name == "session_authorization") return SettingClass::Identity;
  if (contains(kLexical, name)) return SettingClass::Lexical;
  if (contains(kHarmless, name)) return SettingClass::Harmless;
  return SettingClass::Other;
}

bool is_sensitive_setting(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return contains(kSensitive, lower);
}

int parse_bool(std::string_view value) {
  std::string v(value);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') v = v.substr(1, v.size() - 2);
  // As PostgreSQL's parse_bool: any prefix of true/false/yes/no, "on"/"off" from two
  // letters ("of" is off), "1", "0".
  auto prefix_of = [&v](std::string_view word, std::size_t min_len) {
    return v.size() >= min_len && v.size() <= word.size() && word.starts_with(v);
  };
  if (v == "1" || prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2)) return 1;
  if (v == "0" || prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2)) return 0;
  return -1;
}

}  // namespace airlock::policy::detail
