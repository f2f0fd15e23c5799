#pragma once
// The lexical elements of PostgreSQL SQL inside which no token is read: comments, quoted
// strings and identifiers, dollar-quoted strings (and $n parameters, which the scanners skip
// too). Shared by the scanners that must not mistake their content for SQL: the nesting
// pre-scan (prescan.hpp) and the intent comment reader (intent_comment.hpp).
//
// The rules, as PostgreSQL's scan.l with standard_conforming_strings on (the gateway closes
// sessions where it is off): '...' with '' for a quote; E'...' (an E not preceded by an
// identifier character) also with backslash escapes; "..." with ""; $tag$...$tag$ where tag
// is empty or an identifier without '$', not preceded by an identifier character; -- to the
// end of the line; /* */ nested. Prefixed strings (B'', X'', U&'') are ordinary '...' here.
// Unterminated elements run to the end of the text.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace airlock::sql {

enum class Lexeme : std::uint8_t {
  None,          // none of the below starts here
  LineComment,   // -- ... (up to, not including, the newline)
  BlockComment,  // /* ... */, nested
  String,        // '...' or E'...' (the E is before the position)
  Identifier,    // "..."
  DollarString,  // $tag$ ... $tag$
  Parameter,     // $1
};

struct LexSpan {
  Lexeme kind = Lexeme::None;
  std::size_t end = 0;  // one past the element (its start when kind is None)
};

// What starts at text[i] (i < text.size()). Reads text[i - 1] and text[i - 2] to tell an
// E'' string and a dollar quote from a quote or '$' inside an identifier.
LexSpan lex_at(std::string_view text, std::size_t i) noexcept;

// For the scanners' own token reading.
bool ident_start(unsigned char c) noexcept;
bool ident_char(unsigned char c) noexcept;

}  // namespace airlock::sql
