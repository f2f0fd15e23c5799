#include "http/bearer.hpp"

namespace airlock::http {

bool constant_time_equal(std::string_view given, std::string_view expected) noexcept {
  if (expected.empty()) return false;
  // Every byte of `given` is compared (against `expected` repeated), so the loop's length
  // is the attacker's own input length; a length mismatch only sets a bit.
  unsigned diff = given.size() == expected.size() ? 0u : 1u;
  for (std::size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i]) ^
            static_cast<unsigned char>(expected[i % expected.size()]);
  }
  return diff == 0;
}

std::string_view bearer_token(std::string_view authorization) noexcept {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  return token;
}

bool bearer_matches(std::string_view authorization, std::string_view expected) noexcept {
  return constant_time_equal(bearer_token(authorization), expected);
}

}  // namespace airlock::http
