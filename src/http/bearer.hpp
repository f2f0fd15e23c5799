#pragma once
#include <string_view>

namespace airlock::http {

// Equality whose running time depends only on the length of `given` (what the client sent),
// never on where it first differs from `expected`: the token cannot be guessed byte by byte
// from response times.
bool constant_time_equal(std::string_view given, std::string_view expected) noexcept;

// The token of "Bearer <token>" (scheme case-insensitive, RFC 7235, blanks around the token
// dropped); "" when the header is absent or another scheme.
std::string_view bearer_token(std::string_view authorization) noexcept;

// True when `authorization` is "Bearer <token>" (scheme case-insensitive, RFC 7235) and the
// token equals `expected`, compared in constant time. An empty `expected` never matches.
bool bearer_matches(std::string_view authorization, std::string_view expected) noexcept;

}  // namespace airlock::http
