#pragma once
// Helpers that spell protocol bytes by hand in tests, independent of the encoders under
// test (protocol/builder.hpp), so a bug there cannot hide behind a matching decoder.
#include <cstdint>
#include <string>
#include <string_view>

namespace airlock::protocol::test {

inline std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

inline std::string be16(std::uint16_t v) {
  return {static_cast<char>(v >> 8), static_cast<char>(v)};
}

// A typed message: type byte, length (4 + body), body.
inline std::string typed(char type, std::string_view body) {
  std::string out(1, type);
  out += be32(static_cast<std::uint32_t>(body.size() + 4));
  out += body;
  return out;
}

// A typed message header that claims `len` whatever follows.
inline std::string typed_header(char type, std::uint32_t len) {
  return std::string(1, type) + be32(len);
}

// A startup-phase packet: length (8 + body), code, body.
inline std::string startup(std::uint32_t code, std::string_view body) {
  return be32(static_cast<std::uint32_t>(body.size() + 8)) + be32(code) + std::string(body);
}

// "a\0b\0" from "a", "b" without fighting string literals that hold NULs.
inline std::string cstr(std::string_view s) { return std::string(s) + '\0'; }

}  // namespace airlock::protocol::test
