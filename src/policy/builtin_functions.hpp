#pragma once
// Internal: what the engine knows about functions by name alone, without a catalog.
#include <string_view>

namespace airlock::policy::detail {

enum class FunctionClass {
  Unknown,      // needs an allow entry
  Safe,         // immutable or stable, in pg_catalog: allowed (builtin.catalog_function)
  CatalogRead,  // volatile in pg_catalog, but only reads the catalog or file sizes: allowed
  Dangerous,    // denied unless an allow entry names it (builtin.dangerous_function)
  Sleep,        // pg_sleep: allowed up to 1 second (builtin.dangerous_function beyond)
  Sequence,     // nextval/currval/setval: the sequence needs a `sequences:` entry
  SettingRead,  // current_setting: allowed for names that are not sensitive
};

struct FunctionInfo {
  FunctionClass cls = FunctionClass::Unknown;
  std::string_view family;  // for Dangerous: "file access", "backend signalling", ...
  bool in_pg_catalog = false;  // where an unqualified call of this name resolves
};

// Matched on the name alone: the schema a caller writes does not matter for Dangerous
// (pg_catalog.dblink, public.dblink and dblink are all dblink).
FunctionInfo classify_function(std::string_view name);

// The helper functions of information_schema (immutable or stable SQL functions over their
// arguments and the catalog) that drivers call directly: pgjdbc's getPrimaryKeys and
// getIndexInfo use information_schema._pg_expandarray.
bool is_information_schema_helper(std::string_view name);

// A relation of pg_catalog (table or view), for resolving unqualified names.
bool is_pg_catalog_relation(std::string_view name);
// Catalog relations that hold secrets or other sessions' data: denied even though catalog
// reads are otherwise allowed (builtin.sensitive_catalog).
bool is_sensitive_catalog_relation(std::string_view name);

// True when the built-in name tables are sorted (checked by a unit test).
bool builtin_tables_sorted();

}  // namespace airlock::policy::detail
