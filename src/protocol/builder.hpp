#pragma once
// Appends protocol messages to an output string. Each message's length is patched in
// when the message ends, so no caller computes a length by hand.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace airlock::protocol {

class MessageBuilder {
 public:
  explicit MessageBuilder(std::string& out) : out_(out) {}

  // Typed message (type != 0) or startup-phase packet (type == 0).
  MessageBuilder& begin(char type) {
    if (type != 0) out_.push_back(type);
    start_ = out_.size();
    append_be32(out_, 0);
    return *this;
  }
  MessageBuilder& i32(std::int32_t v) {
    append_be32(out_, static_cast<std::uint32_t>(v));
    return *this;
  }
  MessageBuilder& i16(std::int16_t v) {
    append_be16(out_, static_cast<std::uint16_t>(v));
    return *this;
  }
  MessageBuilder& byte(char c) {
    out_.push_back(c);
    return *this;
  }
  // Appends `s` and a NUL. `s` must not hold a NUL itself (callers validate input first).
  MessageBuilder& cstring(std::string_view s) {
    out_.append(s);
    out_.push_back('\0');
    return *this;
  }
  MessageBuilder& bytes(std::string_view s) {
    out_.append(s);
    return *this;
  }
  void end() { store_be32(out_.data() + start_, static_cast<std::uint32_t>(out_.size() - start_)); }

 private:
  std::string& out_;
  std::size_t start_ = 0;
};

}  // namespace airlock::protocol
