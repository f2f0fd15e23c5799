#pragma once
// The intent a statement states in a comment of its own (docs/access.md, "Justification"):
//
//     /* airlock: intent="refund for ticket 4411" */ UPDATE ...
//     UPDATE ... -- airlock: intent="refund for ticket 4411"
//
// The comment's text, after any spaces, starts with `airlock:` (lower case), then
// `intent`, `=` and a double-quoted value, spaces allowed between them; in the value \" is a
// quote and \\ a backslash. Only comments count, as PostgreSQL's lexer finds them (lex.hpp):
// the same characters inside a string literal, a dollar-quoted body or a quoted identifier
// are data, not an intent. A comment inside another block comment is part of that comment's
// text, so it counts only when the outer one is itself the intent comment. When several
// comments state one, the first counts. A comment of another form (`airlock: intent=x`,
// an unterminated value) states nothing.
//
// A query string with several statements is one record and one decision: the intent covers
// all of them.
#include <string>
#include <string_view>

namespace airlock::sql {

// The intent, cleaned (core/intent_text.hpp: UTF-8, no control characters, at most
// kMaxIntentBytes); "" when the text states none. Costs one memmem when it holds no
// `airlock:`.
std::string comment_intent(std::string_view sql);

}  // namespace airlock::sql
