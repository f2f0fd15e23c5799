#pragma once
// What a statement does to the session's prepared statements and portals, read from its
// analysis (statement_hook.hpp NameEffect), and the names Airlock keeps for itself.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "policy/decision.hpp"
#include "proxy/statement_hook.hpp"
#include "sql/facts.hpp"

namespace airlock::proxy {

// Names of statements, portals, cursors and savepoints Airlock uses itself start with this
// (compared without regard to case): a client may not use them, by message or by SQL.
inline constexpr std::string_view kReservedPrefix = "airlock_";
bool is_reserved_name(std::string_view name);

// The first reserved name the statements use, if any.
std::optional<std::string> reserved_name_use(const sql::Analysis& analysis);

// Null when the statements change and use no names. `d` is the decision of the whole string:
// a PREPARE carries it (restamped to statement 0) to the EXECUTE that runs it.
std::shared_ptr<const NameEffects> name_effects(const sql::Analysis& analysis,
                                                const policy::Decision& d);

}  // namespace airlock::proxy
