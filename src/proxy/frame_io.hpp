#pragma once
// Reading whole protocol frames from a Stream during the startup and authentication
// phases (the relay loops frame batches themselves, see relay.cpp).
#include <chrono>

#include "core/buffer.hpp"
#include "core/error.hpp"
#include "net/asio.hpp"
#include "net/stream.hpp"
#include "protocol/frame.hpp"

namespace airlock::proxy {

enum class FrameKind { Typed, Startup };

// Reads until one complete frame is at the front of `buf`. The caller consumes
// `frame.size` bytes when done with it. Errors: 08P01 for invalid or oversized frames,
// 08006 when the peer closes or the read fails.
net::awaitable<Result<protocol::Frame>> read_frame(net::Stream& s, RecvBuffer& buf,
                                                   FrameKind kind, std::size_t max_size);

// The relay loops: space to ask for before a read (the rest of the message at the front,
// its length already bounded by decode_typed, or one chunk), and whether a complete message
// (or an invalid header) is already at the front, so it is decoded before reading more.
// `chunk`: the buffer's initial size, so that a read into an empty buffer never grows it
// (a grown buffer is released when drained: that would be an allocation per batch).
std::size_t relay_read_size(const RecvBuffer& buf, std::size_t max, std::size_t chunk);
inline constexpr std::size_t kClientReadChunk = 4096;    // client messages are small
inline constexpr std::size_t kUpstreamReadChunk = 8192;  // results can be large
bool frame_ready(const RecvBuffer& buf, std::size_t max);

// Runs `op` with a deadline; on timeout the stream is closed (so `op` ends) and a 08006
// error naming `what` is returned.
template <class T>
net::awaitable<Result<T>> with_deadline(net::awaitable<Result<T>> op, net::Stream& s,
                                        std::chrono::milliseconds timeout, const char* what);

}  // namespace airlock::proxy

#include "proxy/frame_io_impl.hpp"
