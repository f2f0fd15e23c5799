#pragma once
// The text of an intent an agent states for a statement, a session or a tool call
// (docs/access.md, "Justification"): what may reach an audit record and a log line. An
// intent never holds bytes from the SQL's literals: it comes from a comment
// (sql/intent_comment.hpp), the application_name, or the MCP `intent` argument.
#include <cstddef>
#include <string>
#include <string_view>

namespace airlock {

// Longer intents are cut here, at a character boundary.
inline constexpr std::size_t kMaxIntentBytes = 200;

// application_name values that state an intent start with this ("intent:refund #4411").
inline constexpr std::string_view kIntentAppPrefix = "intent:";

// `raw` fit for a record: bytes that are not UTF-8 become U+FFFD, control characters (C0,
// DEL, C1) become spaces, runs of spaces become one, leading and trailing spaces go, and the
// rest is cut to kMaxIntentBytes without splitting a character. "" = no intent.
std::string clean_intent(std::string_view raw);

// The intent an application_name states: what follows kIntentAppPrefix, cleaned; "" when
// the name does not start with it.
std::string intent_of_application_name(std::string_view name);

}  // namespace airlock
