#pragma once
// Constant folding over raw expression trees: bool, int, text and NULL, with SQL's
// three-valued logic. Anything else (columns, parameters, function calls, numerics, casts to
// other types, text ordering under a collation) folds to Unknown, so a folded value is always
// the value PostgreSQL would compute.
#include <cstdint>
#include <optional>
#include <string>

#include "sql/pg/pg_nodes.hpp"

namespace airlock::sql::pg {

struct ConstValue {
  enum class Kind : std::uint8_t { Unknown, Null, Bool, Int, Numeric, Text };
  Kind kind = Kind::Unknown;
  bool b = false;
  std::int64_t i = 0;
  std::string s;  // Text; Numeric as written

  bool is_true() const noexcept { return kind == Kind::Bool && b; }
  bool known() const noexcept { return kind != Kind::Unknown; }
};

ConstValue fold_constant(const Node* n);

// An argument's value for FunctionRef::literal_args: casts are looked through
// ('x'::regclass is "x"); NULL and non-constants give nullopt.
std::optional<std::string> literal_text(const Node* n);

}  // namespace airlock::sql::pg
