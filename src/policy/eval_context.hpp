#pragma once
// What evaluate() needs to know about the session besides the statement itself. The
// gateway fills it per statement; `airlock check` fills it from its flags.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/decision.hpp"

namespace airlock::policy {

struct EvalContext {
  // The session's search_path as tracked by the gateway (SET search_path, RESET, DISCARD),
  // schemas in order. Unqualified names resolve through it after pg_catalog, as PostgreSQL
  // does. evaluate() prefers the path the sql module resolved with (Analysis::search_path),
  // where the caller substituted "$user" and schemas the catalog does not hold are skipped;
  // "$user" left as written names no schema a policy can allow, so names it would resolve
  // first are refused rather than guessed.
  std::vector<std::string> search_path{"public"};

  // The decision recorded when the named SQL-level prepared statement was PREPAREd in this
  // session; nullopt (or no function) = no such statement, and EXECUTE of it is denied.
  std::function<std::optional<Decision>(std::string_view name)> prepared;
};

}  // namespace airlock::policy
