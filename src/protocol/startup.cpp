#include "protocol/startup.hpp"

#include "protocol/field_reader.hpp"

namespace airlock::protocol {

Result<StartupPacket> parse_startup(const Frame& frame) {
  switch (frame.code) {
    case kSslRequestCode:
      if (!frame.body.empty()) return fail(sqlstate::kProtocolViolation, "invalid SSLRequest");
      return SslRequest{};
    case kGssEncRequestCode:
      if (!frame.body.empty()) return fail(sqlstate::kProtocolViolation, "invalid GSSENCRequest");
      return GssEncRequest{};
    case kCancelRequestCode: {
      FieldReader r(frame.body);
      CancelRequest c;
      c.pid = static_cast<std::uint32_t>(r.i32());
      c.secret = static_cast<std::uint32_t>(r.i32());
      if (!r.ok() || !r.at_end()) return fail(sqlstate::kProtocolViolation, "invalid CancelRequest");
      return c;
    }
    default:
      break;
  }
  if ((frame.code >> 16) != 3) {
    return fail(sqlstate::kFeatureNotSupported, "unsupported frontend protocol version");
  }
  if (frame.code != kProtocolV3) {
    // 3.x minor versions would need NegotiateProtocolVersion; 3.0 is all PostgreSQL 15 speaks.
    return fail(sqlstate::kFeatureNotSupported, "unsupported frontend protocol minor version");
  }
  StartupMessage m;
  m.version = frame.code;
  FieldReader r(frame.body);
  for (;;) {
    std::string_view key = r.cstring();
    if (!r.ok()) return fail(sqlstate::kProtocolViolation, "invalid startup packet layout");
    if (key.empty()) break;  // the terminating NUL
    std::string_view value = r.cstring();
    if (!r.ok()) return fail(sqlstate::kProtocolViolation, "invalid startup packet layout");
    if (m.find(key) != nullptr) {
      return fail(sqlstate::kProtocolViolation, "duplicate startup parameter");
    }
    m.params.emplace_back(std::string(key), std::string(value));
  }
  if (!r.at_end()) return fail(sqlstate::kProtocolViolation, "invalid startup packet layout");
  return m;
}

}  // namespace airlock::protocol
