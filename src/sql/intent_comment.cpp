#include "sql/intent_comment.hpp"

#include <cstring>
#include <optional>

#include "core/intent_text.hpp"
#include "sql/lex.hpp"

namespace airlock::sql {
namespace {

constexpr std::string_view kMarker = "airlock:";

bool contains_marker(std::string_view t) {
  return ::memmem(t.data(), t.size(), kMarker.data(), kMarker.size()) != nullptr;
}

void skip_spaces(std::string_view body, std::size_t& i) {
  while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' ||
                             body[i] == '\r' || body[i] == '\f')) {
    ++i;
  }
}

bool take(std::string_view body, std::size_t& i, std::string_view word) {
  if (body.substr(i, word.size()) != word) return false;
  i += word.size();
  return true;
}

// `body` is a comment's text without its delimiters: `airlock: intent="..."` and anything
// after the closing quote. The value unescaped, or nullopt.
std::optional<std::string> intent_in(std::string_view body) {
  std::size_t i = 0;
  skip_spaces(body, i);
  if (!take(body, i, kMarker)) return std::nullopt;
  skip_spaces(body, i);
  if (!take(body, i, "intent")) return std::nullopt;
  skip_spaces(body, i);
  if (!take(body, i, "=")) return std::nullopt;
  skip_spaces(body, i);
  if (!take(body, i, "\"")) return std::nullopt;
  std::string value;
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '"') return value;
    if (c == '\\' && i + 1 < body.size() && (body[i + 1] == '"' || body[i + 1] == '\\')) {
      value.push_back(body[++i]);
    } else {
      value.push_back(c);
    }
  }
  return std::nullopt;  // no closing quote
}

}  // namespace

std::string comment_intent(std::string_view sql) {
  if (!contains_marker(sql)) return {};
  for (std::size_t i = 0; i < sql.size();) {
    const LexSpan span = lex_at(sql, i);
    if (span.kind == Lexeme::None) {
      ++i;
      continue;
    }
    const bool line = span.kind == Lexeme::LineComment;
    if (line || span.kind == Lexeme::BlockComment) {
      std::string_view body = sql.substr(i + 2, span.end - i - 2);
      if (!line && body.ends_with("*/")) body.remove_suffix(2);
      if (contains_marker(body)) {
        if (auto value = intent_in(body)) return clean_intent(*value);
      }
    }
    i = span.end;
  }
  return {};
}

}  // namespace airlock::sql
