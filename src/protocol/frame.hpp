#pragma once
// Framing of PostgreSQL v3 messages (protocol-message-formats.html).
//
// After startup every message is: Byte1 type, Int32 length (counting itself, not the type
// byte), then length-4 bytes of body. Startup-phase packets have no type byte: Int32 length,
// Int32 code, body.
//
// Decoding is sans-I/O: it looks at the bytes received so far and names the outcome.
// A length is checked against its bound as soon as the 5-byte header is present, so an
// oversized message is refused before any of its body is buffered.
//
// Lifetime: a Frame's `body` views the caller's buffer and is valid until that buffer
// is consumed or grown.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace airlock::protocol {

enum class DecodeStatus {
  Ready,     // a complete message is at the front of the input
  NeedMore,  // the input holds only part of a message; read more
  Invalid,   // the length is impossible or over the bound: close the connection
};

struct Frame {
  char type = 0;          // 0 for startup-phase packets
  std::uint32_t code = 0;  // startup-phase packets only: protocol version or request code
  std::string_view body;  // excludes the header
  std::size_t size = 0;   // bytes the whole message occupies in the input
};

inline constexpr std::size_t kTypedHeader = 5;
inline constexpr std::size_t kStartupHeader = 8;

// Decodes one typed message from the front of `input`. `max_size` bounds the whole message.
DecodeStatus decode_typed(std::string_view input, std::size_t max_size, Frame& out) noexcept;

// Decodes one startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest).
DecodeStatus decode_startup(std::string_view input, std::size_t max_size, Frame& out) noexcept;

// Bytes still missing for the message at the front of `input`, when the header is complete;
// lets the reader ask for exactly enough space. Returns 0 when unknown.
std::size_t typed_bytes_wanted(std::string_view input) noexcept;

}  // namespace airlock::protocol
