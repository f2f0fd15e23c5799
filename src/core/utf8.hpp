#pragma once
#include <string_view>

namespace airlock {

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF). NUL bytes are rejected too: PostgreSQL text never holds them.
bool valid_utf8(std::string_view s) noexcept;

// True when PostgreSQL's pg_char_to_encoding maps `name` to UTF8: it drops every byte that
// is not an ASCII letter or digit, lower-cases the rest and looks the result up; the names
// of UTF8 are "utf8" and "unicode". So 'utf-8' (asyncpg sends the quotes), UTF_8 and
// Unicode are UTF8, while utf16, utf8mb4 or SJIS are not.
bool is_utf8_encoding_name(std::string_view name) noexcept;

}  // namespace airlock
