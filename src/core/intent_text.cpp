#include "core/intent_text.hpp"

#include "core/utf8.hpp"

namespace airlock {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// A C0 control, DEL, or (as UTF-8, C2 80..C2 9F) a C1 control.
bool is_control(std::string_view ch) {
  const auto c = static_cast<unsigned char>(ch[0]);
  if (ch.size() == 1) return c < 0x20 || c == 0x7F;
  return ch.size() == 2 && c == 0xC2 && static_cast<unsigned char>(ch[1]) <= 0x9F;
}

}  // namespace

std::string clean_intent(std::string_view raw) {
  std::string out;
  bool space = false;  // a space is owed before the next character
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t n = utf8_sequence_length(raw, i);
    const std::string_view ch = n == 0 ? kReplacement : raw.substr(i, n);
    i += n == 0 ? 1 : n;
    if (ch == " " || is_control(ch)) {
      space = !out.empty();
      continue;
    }
    const std::size_t need = ch.size() + (space ? 1 : 0);
    if (out.size() + need > kMaxIntentBytes) break;
    if (space) out.push_back(' ');
    out.append(ch);
    space = false;
  }
  return out;
}

std::string intent_of_application_name(std::string_view name) {
  if (!name.starts_with(kIntentAppPrefix)) return {};
  return clean_intent(name.substr(kIntentAppPrefix.size()));
}

}  // namespace airlock
