#pragma once
// Statement text for the audit trail and logs: literals replaced, so that values an agent
// sends (emails, phone numbers, secrets) never reach a file unless policy keeps them.
#include <string>
#include <string_view>

namespace airlock::sql {

struct Normalized {
  std::string text;         // literals as $n (parsed) or ? (not parsed); comments removed
  // 16 hex digits: a hash of the normalized text, the same for statements that differ only in
  // their literals; empty when not parsed.
  std::string fingerprint;
  bool parsed = false;      // false: the lexical fallback produced `text`
};

// pg_query_normalize replaces the constants of DML and SET with $n but leaves comments and
// the literals of most utility statements (DDL defaults, COPY paths, EXECUTE arguments), so
// its output is scrubbed once more by redact_literals (keeping double-quoted identifiers,
// which the parser has read as names). When the text does not parse, redact_literals alone
// is applied. The raw literals are never returned.
Normalized normalize(std::string_view text);

// The lexical redaction: every single-quoted (also E'', B'', X'', U&''), dollar-quoted and,
// unless keep_identifiers, double-quoted string and every number becomes `?`; comments are
// removed. Parameters ($1) and identifiers with digits (t1) are kept. Unterminated quotes
// and comments run to the end of the text. Also fit for error messages relayed from
// PostgreSQL ("invalid input syntax for type integer: \"abc\"").
std::string redact_literals(std::string_view text, bool keep_identifiers = false);

}  // namespace airlock::sql
