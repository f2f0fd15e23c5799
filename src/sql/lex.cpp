#include "sql/lex.hpp"

namespace airlock::sql {
namespace {

unsigned char at(std::string_view t, std::size_t k) noexcept {
  return k < t.size() ? static_cast<unsigned char>(t[k]) : 0;
}

std::size_t block_comment_end(std::string_view t, std::size_t i) noexcept {
  int depth = 0;
  while (i < t.size()) {
    if (at(t, i) == '/' && at(t, i + 1) == '*') {
      ++depth;
      i += 2;
    } else if (at(t, i) == '*' && at(t, i + 1) == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return t.size();
}

// i at the opening quote; a doubled quote is an escaped one.
std::size_t quoted_end(std::string_view t, std::size_t i, bool backslash_escapes) noexcept {
  const char quote = t[i];
  ++i;
  while (i < t.size()) {
    if (backslash_escapes && t[i] == '\\') {
      i += 2;
    } else if (t[i] == quote) {
      if (at(t, i + 1) != static_cast<unsigned char>(quote)) return i + 1;
      i += 2;
    } else {
      ++i;
    }
  }
  return t.size();
}

}  // namespace

bool ident_start(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool ident_char(unsigned char c) noexcept {
  return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

LexSpan lex_at(std::string_view t, std::size_t i) noexcept {
  const unsigned char c = at(t, i);
  const bool after_ident = i > 0 && ident_char(at(t, i - 1));
  if (c == '-' && at(t, i + 1) == '-') {
    const std::size_t nl = t.find('\n', i);
    return {Lexeme::LineComment, nl == std::string_view::npos ? t.size() : nl};
  }
  if (c == '/' && at(t, i + 1) == '*') return {Lexeme::BlockComment, block_comment_end(t, i)};
  if (c == '\'') {
    const bool esc = i > 0 && (t[i - 1] == 'e' || t[i - 1] == 'E') &&
                     (i < 2 || !ident_char(at(t, i - 2)));
    return {Lexeme::String, quoted_end(t, i, esc)};
  }
  if (c == '"') return {Lexeme::Identifier, quoted_end(t, i, false)};
  if (c != '$' || after_ident) return {Lexeme::None, i};
  std::size_t j = i + 1;
  if (at(t, j) >= '0' && at(t, j) <= '9') {
    while (at(t, j) >= '0' && at(t, j) <= '9') ++j;
    return {Lexeme::Parameter, j};
  }
  if (ident_start(at(t, j))) {
    while (ident_char(at(t, j)) && at(t, j) != '$') ++j;
  }
  if (at(t, j) != '$') return {Lexeme::None, i};  // a lone '$'
  const std::string_view tag = t.substr(i, j - i + 1);
  const std::size_t end = t.find(tag, j + 1);
  return {Lexeme::DollarString, end == std::string_view::npos ? t.size() : end + tag.size()};
}

}  // namespace airlock::sql
