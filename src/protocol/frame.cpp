#include "protocol/frame.hpp"

#include "core/bytes.hpp"

namespace airlock::protocol {

DecodeStatus decode_typed(std::string_view input, std::size_t max_size, Frame& out) noexcept {
  if (input.size() < kTypedHeader) return DecodeStatus::NeedMore;
  const std::uint32_t len = load_be32(input.data() + 1);
  // len counts itself (4 bytes); anything smaller is malformed. Compare in 64 bits so
  // that len + 1 cannot wrap.
  if (len < 4) return DecodeStatus::Invalid;
  const std::uint64_t total = std::uint64_t{len} + 1;
  if (total > max_size) return DecodeStatus::Invalid;
  if (input.size() < total) return DecodeStatus::NeedMore;
  out.type = input[0];
  out.code = 0;
  out.body = input.substr(kTypedHeader, static_cast<std::size_t>(total) - kTypedHeader);
  out.size = static_cast<std::size_t>(total);
  return DecodeStatus::Ready;
}

DecodeStatus decode_startup(std::string_view input, std::size_t max_size, Frame& out) noexcept {
  if (input.size() < 4) return DecodeStatus::NeedMore;
  const std::uint32_t len = load_be32(input.data());
  if (len < kStartupHeader || len > max_size) return DecodeStatus::Invalid;
  if (input.size() < len) return DecodeStatus::NeedMore;
  out.type = 0;
  out.code = load_be32(input.data() + 4);
  out.body = input.substr(kStartupHeader, len - kStartupHeader);
  out.size = len;
  return DecodeStatus::Ready;
}

std::size_t typed_bytes_wanted(std::string_view input) noexcept {
  if (input.size() < kTypedHeader) return kTypedHeader - input.size();
  const std::uint64_t total = std::uint64_t{load_be32(input.data() + 1)} + 1;
  return total > input.size() ? static_cast<std::size_t>(total - input.size()) : 0;
}

}  // namespace airlock::protocol
