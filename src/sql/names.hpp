#pragma once
// Stable lower-case names for the fact enums (logs, audit records, tests).
#include <string_view>

#include "sql/facts.hpp"

namespace airlock::sql {

std::string_view to_string(StatementKind k) noexcept;
std::string_view to_string(AccessMode m) noexcept;
std::string_view to_string(FunctionSite s) noexcept;
std::string_view to_string(TransactionOp op) noexcept;
std::string_view to_string(Outcome o) noexcept;

}  // namespace airlock::sql
