#pragma once
#include <string_view>

namespace airlock {

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF). NUL bytes are rejected too: PostgreSQL text never holds them.
bool valid_utf8(std::string_view s) noexcept;

}  // namespace airlock
