#pragma once
// A session opened in-process by another front end (the MCP server, src/mcp/): the front
// end holds one end of a socket pair and speaks the PostgreSQL protocol on it as any client
// does; the other end is served by an ordinary Session (startup, SCRAM, relay, the one
// decision point, guards, masks, audit). The proxy knows nothing of the front end beyond
// this struct, which both sides share on the session's own I/O thread (no locks).
#include <chrono>
#include <optional>
#include <string>

namespace airlock::proxy {

class StatementHook;

struct LocalFront {
  // --- set by the front end before the session starts ---
  std::string front;   // recorded as `front` in every audit record of the session: "mcp"
  std::string client;  // the front end's own client address, for logs and the trail
  // Refuse every statement that may change data, whatever the policy allows (rule
  // gateway.read_only): SELECT, SHOW and EXPLAIN without ANALYZE only, calling functions
  // that are known not to write (policy/read_only.hpp).
  bool read_only = false;
  std::string read_only_hint;  // the refusal's hint ("use the execute tool for writes")
  // A held statement waits this long for its approval instead of approvals.hold_wait
  // (0: the refusal with the approval id comes at once).
  std::optional<std::chrono::milliseconds> hold_wait;
  // The current call's intent (the MCP `intent` argument, core/intent_text.hpp: cleaned),
  // set before each call's statements; the session records it with them and counts it for
  // require_intent, unless a statement's comment states its own. "" = none.
  std::string intent;

  // --- set by the session, on its thread ---
  std::string session_id;   // once authenticated
  std::string approval_id;  // the approval request the last held statement opened or used
  // The session's decision point, to judge a statement without running it (null until
  // authenticated and after the session ended).
  StatementHook* hook = nullptr;
  bool ended = false;
};

}  // namespace airlock::proxy
