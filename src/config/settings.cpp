// Sections of plain settings: timeouts, limits, startup_parameters, log.
#include <cctype>

#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

constexpr std::size_t kGiB = 1024ull * 1024 * 1024;

// A run-time parameter (GUC) name: letters, digits, '_' and '.', not starting with a digit.
bool is_guc_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

void read_timeouts(Context& ctx, const YAML::Node& node, const std::string& path,
                   Timeouts& out) {
  Reader& r = ctx.reader;
  r.walk_map(node, path,
             {"connect", "auth", "write", "client_idle", "idle_in_transaction", "shutdown_grace"},
             [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
               auto d = r.duration(value, key_path);
               if (!d) return;
               bool zero_allowed =
                   key == "client_idle" || key == "idle_in_transaction" || key == "shutdown_grace";
               if (d->count() == 0 && !zero_allowed) {
                 r.error(value, key_path, "must be greater than 0");
                 return;
               }
               if (key == "connect") out.connect = *d;
               else if (key == "auth") out.auth = *d;
               else if (key == "write") out.write = *d;
               else if (key == "client_idle") out.client_idle = *d;
               else if (key == "idle_in_transaction") out.idle_in_transaction = *d;
               else out.shutdown_grace = *d;
             });
}

void read_limits(Context& ctx, const YAML::Node& node, const std::string& path, Limits& out) {
  Reader& r = ctx.reader;
  r.walk_map(node, path, {"max_message_bytes", "max_startup_bytes", "max_connections"},
             [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
               if (key == "max_connections") {
                 if (auto n = r.integer(value, key_path, 1, 1'000'000)) {
                   out.max_connections = static_cast<std::size_t>(*n);
                 }
               } else if (auto size = r.size(value, key_path, 1, kGiB)) {
                 if (key == "max_message_bytes") out.max_message_bytes = *size;
                 else out.max_startup_bytes = *size;
               }
             });
}

void read_startup_parameters(Context& ctx, const YAML::Node& node, const std::string& path,
                             std::vector<std::string>& out) {
  Reader& r = ctx.reader;
  r.walk_map(node, path, {"allow"},
             [&](const std::string&, const YAML::Node& value, const std::string& key_path) {
               auto names = r.text_list(value, key_path, true);
               if (!names) return;
               std::size_t index = 0;
               for (const auto& element : value) {
                 std::string name = (*names)[index];
                 if (!is_guc_name(name)) {
                   r.error(element, item_path(key_path, index),
                           "'" + name + "' is not a parameter name (letters, digits, '_', '.')");
                 } else {
                   // PostgreSQL parameter names are case-insensitive.
                   for (char& c : name) c = static_cast<char>(std::tolower(
                                            static_cast<unsigned char>(c)));
                   out.push_back(std::move(name));
                 }
                 ++index;
               }
             });
}

void read_log(Context& ctx, const YAML::Node& node, const std::string& path, Config& out) {
  Reader& r = ctx.reader;
  r.walk_map(node, path, {"level", "format"},
             [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
               if (key == "level") {
                 if (auto level =
                         r.choice(value, key_path, {"trace", "debug", "info", "warn", "error"})) {
                   out.log_level = *level;
                 }
               } else if (auto format = r.choice(value, key_path, {"text", "json"})) {
                 out.log_format = *format;
               }
             });
}

}  // namespace airlock::config::detail
