#pragma once
// Internal to the auth module: the pieces of RFC 5802 message syntax that both the client
// and the server side parse.
#include <optional>
#include <string_view>
#include <vector>

namespace airlock::auth {

struct ScramAttr {
  char name;               // a single ASCII letter
  std::string_view value;  // everything after "x=" up to the next ',' (may be empty)
};

// Splits "a=1,b=2" into attributes. nullopt when any part is not "<letter>=...", which also
// rejects empty parts (",," or a trailing comma) and empty input.
std::optional<std::vector<ScramAttr>> split_attributes(std::string_view text);

// RFC 5802 "printable": 1*(%x21-2B / %x2D-7E), i.e. visible ASCII except ','.
bool valid_nonce(std::string_view nonce);

// A positive decimal iteration count in [1, max]; no sign, no spaces.
std::optional<int> parse_iterations(std::string_view text, int max);

// True when the message holds a NUL byte (PostgreSQL treats SASL payloads as C strings).
bool has_nul(std::string_view text);

}  // namespace airlock::auth
