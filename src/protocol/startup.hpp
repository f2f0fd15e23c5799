#pragma once
// Startup-phase packets a client may send first (protocol-message-formats.html):
// StartupMessage (v3.0), SSLRequest, GSSENCRequest, CancelRequest.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "protocol/frame.hpp"

namespace airlock::protocol {

inline constexpr std::uint32_t kProtocolV3 = 196608;  // 3.0
inline constexpr std::uint32_t kSslRequestCode = 80877103;
inline constexpr std::uint32_t kGssEncRequestCode = 80877104;
inline constexpr std::uint32_t kCancelRequestCode = 80877102;

struct SslRequest {};
struct GssEncRequest {};
struct CancelRequest {
  std::uint32_t pid = 0;
  std::uint32_t secret = 0;
};
struct StartupMessage {
  std::uint32_t version = kProtocolV3;
  std::vector<std::pair<std::string, std::string>> params;  // in the order sent

  const std::string* find(std::string_view key) const {
    for (const auto& [k, v] : params) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

using StartupPacket = std::variant<StartupMessage, SslRequest, GssEncRequest, CancelRequest>;

// Interprets a startup-phase frame. Refuses other protocol versions than 3.0 (0A000, as
// PostgreSQL does), duplicate keys, empty keys and a missing final terminator (08P01).
Result<StartupPacket> parse_startup(const Frame& frame);

}  // namespace airlock::protocol
