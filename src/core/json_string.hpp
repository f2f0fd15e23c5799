#pragma once
// JSON string text for the writers that do not use nlohmann (audit records, JSON logs).
// Whatever the bytes, the result is valid JSON in valid UTF-8: invalid sequences become
// U+FFFD (sanitize_utf8 in utf8.hpp), control characters are escaped.
#include <string>
#include <string_view>

namespace airlock {

// Appends the escaped contents of s, without the surrounding quotes.
void append_json_escaped(std::string& out, std::string_view s);

// Appends s as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

}  // namespace airlock
