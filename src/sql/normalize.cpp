#include "sql/normalize.hpp"

#include <pg_query.h>

#include <cctype>
#include <string>

#include "core/hex.hpp"

namespace airlock::sql {
namespace {

bool ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool ident_char(unsigned char c) { return ident_start(c) || std::isdigit(c) || c == '$'; }

// Scans PostgreSQL's lexical structure just far enough to find literals and comments
// (the same rules as prescan.cpp): standard_conforming_strings is on (the gateway refuses
// sessions where it is off), so only E'' strings treat backslash as an escape.
class Redactor {
 public:
  Redactor(std::string_view in, bool keep_identifiers)
      : in_(in), keep_identifiers_(keep_identifiers) {
    out_.reserve(in.size());
  }

  std::string run() {
    while (i_ < in_.size()) step();
    return std::move(out_);
  }

 private:
  unsigned char at(std::size_t k) const {
    return k < in_.size() ? static_cast<unsigned char>(in_[k]) : 0;
  }

  void step() {
    const unsigned char c = at(i_);
    if (c == '-' && at(i_ + 1) == '-') return line_comment();
    if (c == '/' && at(i_ + 1) == '*') return block_comment();
    if (c == '\'') return quoted('\'', false);
    if (c == '"') {
      if (!keep_identifiers_) return quoted('"', false);
      const std::size_t start = i_;
      skip_quoted('"', false);
      out_.append(in_.substr(start, i_ - start));
      return;
    }
    if (c == '$') return dollar();
    if (std::isdigit(c) || (c == '.' && std::isdigit(at(i_ + 1)))) return number();
    if (ident_start(c)) return identifier();
    out_.push_back(static_cast<char>(c));
    ++i_;
  }

  void line_comment() {
    while (i_ < in_.size() && in_[i_] != '\n') ++i_;
  }

  void block_comment() {  // nests, as in PostgreSQL
    int depth = 0;
    while (i_ < in_.size()) {
      if (at(i_) == '/' && at(i_ + 1) == '*') {
        ++depth;
        i_ += 2;
      } else if (at(i_) == '*' && at(i_ + 1) == '/') {
        i_ += 2;
        if (--depth == 0) break;
      } else {
        ++i_;
      }
    }
    // The comment separated tokens: keep one space there, not the spaces around it.
    while (at(i_) == ' ' || at(i_) == '\t') ++i_;
    const bool space_before = out_.empty() || out_.back() == ' ' || out_.back() == '\n';
    if (!space_before && i_ < in_.size() && at(i_) != '\n') out_.push_back(' ');
  }

  // i_ at the opening quote; a doubled quote is an escaped quote.
  void skip_quoted(char quote, bool backslash_escapes) {
    ++i_;
    while (i_ < in_.size()) {
      const char c = in_[i_];
      if (backslash_escapes && c == '\\') {
        i_ += 2;
      } else if (c == quote) {
        if (at(i_ + 1) == static_cast<unsigned char>(quote)) {
          i_ += 2;
        } else {
          ++i_;
          return;
        }
      } else {
        ++i_;
      }
    }
    i_ = in_.size();
  }

  void quoted(char quote, bool backslash_escapes) {
    skip_quoted(quote, backslash_escapes);
    out_.push_back('?');
  }

  // $1 is a parameter; $tag$ ... $tag$ and $$ ... $$ are dollar-quoted strings.
  void dollar() {
    std::size_t k = i_ + 1;
    if (std::isdigit(at(k))) {
      while (std::isdigit(at(k))) ++k;
      out_.append(in_.substr(i_, k - i_));
      i_ = k;
      return;
    }
    if (ident_start(at(k))) {
      while (ident_char(at(k)) && at(k) != '$') ++k;
    }
    if (at(k) != '$') {  // a lone '$': not a literal
      out_.push_back('$');
      ++i_;
      return;
    }
    const std::string_view tag = in_.substr(i_, k - i_ + 1);
    const std::size_t end = in_.find(tag, k + 1);
    i_ = end == std::string_view::npos ? in_.size() : end + tag.size();
    out_.push_back('?');
  }

  // 42, 4.2, .5, 1e-3, 0x1F, 1_000: everything number-like up to the next non-word byte.
  void number() {
    while (i_ < in_.size()) {
      const unsigned char c = at(i_);
      if ((c == 'e' || c == 'E') && (at(i_ + 1) == '+' || at(i_ + 1) == '-')) {
        i_ += 2;
      } else if (std::isalnum(c) || c == '.' || c == '_') {
        ++i_;
      } else {
        break;
      }
    }
    out_.push_back('?');
  }

  void identifier() {
    std::size_t k = i_;
    while (ident_char(at(k))) ++k;
    const std::string_view word = in_.substr(i_, k - i_);
    // E'..', B'..', X'..', N'..' and U&'..' are string constants with a prefix.
    if (at(k) == '\'' && word.size() == 1) {
      const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(word[0])));
      if (p == 'e' || p == 'b' || p == 'x' || p == 'n') {
        i_ = k;
        quoted('\'', p == 'e');
        return;
      }
    }
    if (word.size() == 1 && (word[0] == 'u' || word[0] == 'U') && at(k) == '&' &&
        (at(k + 1) == '\'' || at(k + 1) == '"')) {
      const char quote = static_cast<char>(at(k + 1));
      i_ = k + 1;
      if (quote == '\'' || !keep_identifiers_) {
        quoted(quote, false);
      } else {
        const std::size_t start = i_;
        skip_quoted(quote, false);
        out_.append("U&");
        out_.append(in_.substr(start, i_ - start));
      }
      return;
    }
    out_.append(word);
    i_ = k;
  }

  std::string_view in_;
  bool keep_identifiers_;
  std::size_t i_ = 0;
  std::string out_;
};

}  // namespace

std::string redact_literals(std::string_view text, bool keep_identifiers) {
  return Redactor(text, keep_identifiers).run();
}

Normalized normalize(std::string_view text) {
  const std::string input(text);  // libpg_query wants a NUL-terminated string
  Normalized out;
  PgQueryNormalizeResult n = pg_query_normalize(input.c_str());
  if (n.error != nullptr || n.normalized_query == nullptr) {
    pg_query_free_normalize_result(n);
    out.text = redact_literals(text, false);
    return out;
  }
  out.text = redact_literals(n.normalized_query, true);
  // The fingerprint hashes the normalized text (FNV-1a, 64 bits), so that the statement is
  // parsed once here, not a second time by pg_query_fingerprint (issue #13: that parse and
  // walk cost as much as the whole decision).
  std::uint64_t h = 14695981039346656037ull;
  for (const char* c = n.normalized_query; *c != '\0'; ++c) {
    h ^= static_cast<unsigned char>(*c);
    h *= 1099511628211ull;
  }
  pg_query_free_normalize_result(n);
  out.parsed = true;
  char be[8];
  for (int i = 7; i >= 0; --i, h >>= 8) be[i] = static_cast<char>(h & 0xff);
  out.fingerprint = to_hex(std::string_view(be, sizeof be));
  return out;
}

}  // namespace airlock::sql
