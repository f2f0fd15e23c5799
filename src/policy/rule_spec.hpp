#pragma once
// One entry of an agent's allow or hold list, as written in the configuration file
// (docs/config.md, "Rules"). The config loader fills it after checking its shape; the
// policy engine gives it meaning when it compiles an AgentPolicy (agent_policy.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/mask_style.hpp"

namespace airlock::policy {

// One `mask:` item: `email` (style full) or `{column: email, style: partial}`.
struct MaskSpec {
  std::string column;  // as written in SQL
  MaskStyle style = MaskStyle::Full;

  MaskSpec() = default;
  // Implicit, so that `spec.mask = {"email", "phone"}` reads as the YAML short form does.
  MaskSpec(std::string c, MaskStyle s = MaskStyle::Full) : column(std::move(c)), style(s) {}
  MaskSpec(const char* c, MaskStyle s = MaskStyle::Full) : column(c), style(s) {}
  friend bool operator==(const MaskSpec&, const MaskSpec&) = default;
};

struct RuleSpec {
  std::vector<std::string> tables;     // "schema.name", each part as written in SQL
  std::vector<std::string> sequences;  // nextval/currval/setval and SELECT ... FROM seq
  std::vector<std::string> functions;  // functions and procedures that may be called
  std::vector<std::string> actions;    // select, insert, update, delete, truncate, ...
  std::vector<std::string> columns;       // writable columns (update/insert); empty = all
  std::vector<MaskSpec> mask;             // columns returned masked, with their style
  std::vector<std::string> deny_columns;  // columns that may not be referenced at all
  std::optional<std::uint64_t> max_rows;
  std::string over_limit = "deny";  // deny | hold
  std::string reason;
  int line = 0;  // where it was declared, for messages
};

// The action words a RuleSpec may name, in documentation order.
inline constexpr const char* kActionWords[] = {"select",     "insert",  "update", "delete",
                                               "truncate",   "references", "trigger", "ddl",
                                               "lock",       "copy"};

}  // namespace airlock::policy
