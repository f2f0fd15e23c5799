#include "proxy/frame_io.hpp"

#include <algorithm>

namespace airlock::proxy {

net::awaitable<Result<protocol::Frame>> read_frame(net::Stream& s, RecvBuffer& buf,
                                                   FrameKind kind, std::size_t max_size) {
  for (;;) {
    protocol::Frame f;
    const auto st = kind == FrameKind::Typed ? protocol::decode_typed(buf.data(), max_size, f)
                                             : protocol::decode_startup(buf.data(), max_size, f);
    if (st == protocol::DecodeStatus::Ready) co_return f;
    if (st == protocol::DecodeStatus::Invalid) {
      co_return fail(sqlstate::kProtocolViolation, "invalid message length");
    }
    // The header bounded the length already, so asking for the rest is safe.
    const std::size_t want =
        kind == FrameKind::Typed ? std::max<std::size_t>(protocol::typed_bytes_wanted(buf.data()), 1)
                                 : 512;
    auto space = buf.prepare(std::min(want, max_size));
    auto [ec, n] = co_await s.read_some(net::asio::buffer(space.data(), space.size()));
    if (ec || n == 0) {
      co_return fail(sqlstate::kConnectionFailure, "connection closed", ec.message());
    }
    buf.commit(n);
  }
}

std::size_t relay_read_size(const RecvBuffer& buf, std::size_t max, std::size_t chunk) {
  return std::max(chunk, std::min(max, protocol::typed_bytes_wanted(buf.data())));
}

bool frame_ready(const RecvBuffer& buf, std::size_t max) {
  protocol::Frame f;
  return protocol::decode_typed(buf.data(), max, f) != protocol::DecodeStatus::NeedMore;
}

}  // namespace airlock::proxy
