#pragma once
// Bounded reads of message fields. Every accessor checks the remaining length first and
// sets a sticky failure flag instead of reading past the end, so a decoder reads all the
// fields it wants and then checks ok() once.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/bytes.hpp"

namespace airlock::protocol {

class FieldReader {
 public:
  explicit FieldReader(std::string_view body) : rest_(body) {}

  std::int32_t i32() {
    if (rest_.size() < 4) return fail_int();
    auto v = static_cast<std::int32_t>(load_be32(rest_.data()));
    rest_.remove_prefix(4);
    return v;
  }
  std::int16_t i16() {
    if (rest_.size() < 2) return static_cast<std::int16_t>(fail_int());
    auto v = static_cast<std::int16_t>(load_be16(rest_.data()));
    rest_.remove_prefix(2);
    return v;
  }
  char byte() {
    if (rest_.empty()) return static_cast<char>(fail_int());
    char c = rest_.front();
    rest_.remove_prefix(1);
    return c;
  }
  // A NUL-terminated string; the view excludes the terminator.
  std::string_view cstring() {
    // An empty view may have a null data(): memchr must not see it.
    const void* nul = rest_.empty() ? nullptr : std::memchr(rest_.data(), 0, rest_.size());
    if (nul == nullptr) {
      ok_ = false;
      rest_ = {};
      return {};
    }
    const auto n = static_cast<std::size_t>(static_cast<const char*>(nul) - rest_.data());
    std::string_view s = rest_.substr(0, n);
    rest_.remove_prefix(n + 1);
    return s;
  }
  // `n` raw bytes; a negative or too-large n fails.
  std::string_view bytes(std::int64_t n) {
    if (n < 0 || static_cast<std::uint64_t>(n) > rest_.size()) {
      ok_ = false;
      rest_ = {};
      return {};
    }
    std::string_view s = rest_.substr(0, static_cast<std::size_t>(n));
    rest_.remove_prefix(static_cast<std::size_t>(n));
    return s;
  }
  std::string_view rest() const { return rest_; }
  bool ok() const { return ok_; }
  bool at_end() const { return rest_.empty(); }

 private:
  std::int32_t fail_int() {
    ok_ = false;
    rest_ = {};
    return 0;
  }
  std::string_view rest_;
  bool ok_ = true;
};

}  // namespace airlock::protocol
