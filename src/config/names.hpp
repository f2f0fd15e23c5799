#pragma once
// Internal to the config library: syntax checks for the names a config file contains.
// Each returns an error message, or nothing when the name is valid.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace airlock::config::detail {

using Words = std::initializer_list<std::string_view>;

// A PostgreSQL identifier: lowercase unquoted (a-z, 0-9, _, $; not starting with a digit
// or $) or double-quoted with "" for a quote; at most 63 bytes.
std::optional<std::string> check_identifier(std::string_view name);
// "schema.name", each part an identifier as above.
std::optional<std::string> check_qualified_name(std::string_view name);
// [A-Za-z0-9_.-]{1,63}
std::optional<std::string> check_agent_name(std::string_view name);
// [A-Za-z_][A-Za-z0-9_]*; the message never repeats the text (it may be a pasted secret).
std::optional<std::string> check_env_name(std::string_view name);

// The candidate closest to word (compared in lowercase) when it is close enough to be a
// likely typo, for "did you mean" hints.
std::optional<std::string> suggest(std::string_view word, Words candidates);

}  // namespace airlock::config::detail
