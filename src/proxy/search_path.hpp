#pragma once
// The search_path as the server reports it (`SHOW search_path`: identifiers quoted where
// needed, comma separated) into the parsed form the sql and policy modules use.
#include <string>
#include <string_view>
#include <vector>

namespace airlock::proxy {

// "\"$user\", public, \"My Schema\"" → {"$user", "public", "My Schema"}. Unquoted items are
// lower-cased as PostgreSQL folds them.
std::vector<std::string> parse_search_path(std::string_view shown);

// The path with "$user" replaced by the session's upstream role, as the server resolves it.
std::vector<std::string> substitute_user(std::vector<std::string> path, const std::string& user);

}  // namespace airlock::proxy
