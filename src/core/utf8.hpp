#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace airlock {

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF). NUL bytes are rejected too: PostgreSQL text never holds them.
bool valid_utf8(std::string_view s) noexcept;

// Length of the well-formed UTF-8 sequence that starts at s[i] (1 for any ASCII byte, NUL
// included), 0 when the bytes there are not one. Requires i < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

// `s` with each byte that is not part of a well-formed sequence replaced by U+FFFD, so
// that it can go into JSON or a client message: a cut multibyte character at the end of
// a truncated parser message, bytes a client sent. NUL bytes stay (JSON escapes them).
std::string sanitize_utf8(std::string_view s);

// True when PostgreSQL's pg_char_to_encoding maps `name` to UTF8: it drops every byte that
// is not an ASCII letter or digit, lower-cases the rest and looks the result up; the names
// of UTF8 are "utf8" and "unicode". So 'utf-8' (asyncpg sends the quotes), UTF_8 and
// Unicode are UTF8, while utf16, utf8mb4 or SJIS are not.
bool is_utf8_encoding_name(std::string_view name) noexcept;

}  // namespace airlock
