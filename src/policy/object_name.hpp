#pragma once
// Names of tables, sequences, functions and columns in the form the PostgreSQL parser
// produces (and sql::facts reports): unquoted identifiers folded to lower case, quoted ones
// without their quotes and with "" undone. Configuration files write them as in SQL.
#include <optional>
#include <string>
#include <string_view>

namespace airlock::policy {

struct ObjectName {
  std::string schema;
  std::string name;

  // A map key that cannot collide ("a.b"."c" vs "a"."b.c").
  std::string key() const { return schema + '\0' + name; }
  friend bool operator==(const ObjectName&, const ObjectName&) = default;
};

// One identifier as written in SQL ("Order Items" with quotes, or tickets) to its parsed
// form; unquoted text is lower-cased as PostgreSQL does.
std::string parse_identifier(std::string_view written);

// "schema.name" as written (config files); nullopt unless exactly two parts.
std::optional<ObjectName> parse_qualified(std::string_view written);

// For messages: the identifier quoted when PostgreSQL would need quotes to read it back.
std::string quote_identifier(std::string_view name);
std::string display(const ObjectName& n);

}  // namespace airlock::policy
