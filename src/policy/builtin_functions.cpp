// Function families by name. Safe names are immutable or stable functions of pg_catalog
// (PostgreSQL 15) that drivers, ORMs and ordinary queries use, and a few volatile ones that
// only read; any other volatile function, or one missing here, needs an allow entry (or a
// catalog, which gives volatility for all).
#include "policy/builtin_functions.hpp"

#include <algorithm>
#include <array>

namespace airlock::policy::detail {
namespace {

struct Family {
  std::string_view family;
  std::string_view name;
  bool prefix;       // name is a prefix: pg_ls_ covers pg_ls_waldir, pg_ls_logdir, ...
  bool in_catalog;
};

constexpr Family kDangerous[] = {
    {"file access", "pg_read_file", false, true},
    {"file access", "pg_read_binary_file", false, true},
    {"file access", "pg_ls_", true, true},
    {"file access", "pg_stat_file", false, true},
    {"file access", "pg_file_", true, false},  // adminpack
    {"file access", "pg_logdir_ls", false, false},
    {"large objects", "lo_", true, true},
    {"large objects", "loread", false, true},
    {"large objects", "lowrite", false, true},
    {"remote connections", "dblink", true, false},
    {"backend signalling", "pg_terminate_backend", false, true},
    {"backend signalling", "pg_cancel_backend", false, true},
    {"backend signalling", "pg_reload_conf", false, true},
    {"backend signalling", "pg_rotate_logfile", false, true},
    {"backend signalling", "pg_promote", false, true},
    {"backend signalling", "pg_log_backend_memory_contexts", false, true},
    {"configuration changes", "set_config", false, true},
    {"advisory locks", "pg_advisory_", true, true},
    {"advisory locks", "pg_try_advisory_", true, true},
    {"WAL writes", "pg_logical_emit_message", false, true},
    {"replication", "pg_logical_slot_", true, true},
    {"replication", "pg_create_physical_replication_slot", false, true},
    {"replication", "pg_create_logical_replication_slot", false, true},
    {"replication", "pg_copy_physical_replication_slot", false, true},
    {"replication", "pg_copy_logical_replication_slot", false, true},
    {"replication", "pg_drop_replication_slot", false, true},
    {"replication", "pg_replication_slot_advance", false, true},
    {"replication", "pg_replication_origin_", true, true},
    {"backup control", "pg_backup_", true, true},
    {"backup control", "pg_switch_wal", false, true},
    {"backup control", "pg_create_restore_point", false, true},
    {"backup control", "pg_wal_replay_", true, true},
    {"statistics resets", "pg_stat_reset", true, true},
    {"statistics resets", "pg_stat_statements_reset", false, false},
    {"catalog changes", "pg_import_system_collations", false, true},
    {"notifications", "pg_notify", false, true},
    {"dynamic SQL", "query_to_xml", true, true},
    {"dynamic SQL", "cursor_to_xml", true, true},
    {"dynamic SQL", "table_to_xml", true, true},
    {"dynamic SQL", "schema_to_xml", true, true},
    {"dynamic SQL", "database_to_xml", true, true},
    {"dynamic SQL", "ts_stat", false, true},
    {"sleeping", "pg_sleep_for", false, true},
    // The data of the sensitive catalog views, through the functions behind them.
    {"other sessions' data", "pg_stat_get_activity", false, true},
    {"other sessions' data", "pg_stat_get_backend_", true, true},
    {"server configuration", "pg_show_all_settings", false, true},
    {"server configuration", "pg_show_all_file_settings", false, true},
    {"server configuration", "pg_hba_file_rules", false, true},
    {"server configuration", "pg_ident_file_mappings", false, true},
    {"server configuration", "pg_config", false, true},
    {"sleeping", "pg_sleep_until", false, true},
};

// Sorted for binary search (the test checks the order).
constexpr std::string_view kSafe[] = {
#include "policy/safe_functions.inc"
};

// Volatile in PostgreSQL's catalog, yet they only read: partition trees from pg_inherits
// (psql 15's \d and \dP), and relation, database and tablespace sizes from the file system
// (psql's \l+, \dt+, \db+). Sorted.
constexpr std::string_view kCatalogReaders[] = {
    "pg_database_size", "pg_indexes_size", "pg_partition_ancestors", "pg_partition_tree",
    "pg_relation_size", "pg_table_size",   "pg_tablespace_size",     "pg_total_relation_size",
};

// information_schema's helpers (PostgreSQL 15 information_schema.sql), all immutable or
// stable SQL functions. Sorted.
constexpr std::string_view kInformationSchemaHelpers[] = {
    "_pg_char_max_length", "_pg_char_octet_length", "_pg_datetime_precision",
    "_pg_expandarray",     "_pg_index_position",    "_pg_interval_type",
    "_pg_keysequal",       "_pg_numeric_precision", "_pg_numeric_precision_radix",
    "_pg_numeric_scale",   "_pg_truetypid",         "_pg_truetypmod",
};

constexpr std::string_view kCatalogRelations[] = {
#include "policy/catalog_relations.inc"
};

constexpr std::string_view kSensitive[] = {
    "pg_authid", "pg_config", "pg_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings",
    "pg_largeobject", "pg_settings", "pg_shadow", "pg_stat_activity", "pg_statistic",
    "pg_user_mapping", "pg_user_mappings",
};

template <std::size_t N>
bool sorted_contains(const std::string_view (&list)[N], std::string_view name) {
  return std::binary_search(std::begin(list), std::end(list), name);
}

}  // namespace

FunctionInfo classify_function(std::string_view name) {
  for (const Family& f : kDangerous) {
    if (f.prefix ? name.starts_with(f.name) : name == f.name)
      return {FunctionClass::Dangerous, f.family, f.in_catalog};
  }
  if (name == "pg_sleep") return {FunctionClass::Sleep, "sleeping", true};
  if (name == "nextval" || name == "currval" || name == "setval")
    return {FunctionClass::Sequence, "sequences", true};
  if (name == "current_setting") return {FunctionClass::SettingRead, "settings", true};
  if (sorted_contains(kSafe, name)) return {FunctionClass::Safe, "", true};
  if (sorted_contains(kCatalogReaders, name)) return {FunctionClass::CatalogRead, "", true};
  return {};
}

bool is_information_schema_helper(std::string_view name) {
  return sorted_contains(kInformationSchemaHelpers, name);
}

bool is_pg_catalog_relation(std::string_view name) {
  if (name.starts_with("pg_stat_") || name.starts_with("pg_statio_")) return true;
  return sorted_contains(kCatalogRelations, name);
}

bool is_sensitive_catalog_relation(std::string_view name) {
  return std::find(std::begin(kSensitive), std::end(kSensitive), name) != std::end(kSensitive);
}

// For the unit test: the tables must stay sorted.
bool builtin_tables_sorted() {
  return std::is_sorted(std::begin(kSafe), std::end(kSafe)) &&
         std::is_sorted(std::begin(kCatalogReaders), std::end(kCatalogReaders)) &&
         std::is_sorted(std::begin(kInformationSchemaHelpers),
                        std::end(kInformationSchemaHelpers)) &&
         std::is_sorted(std::begin(kCatalogRelations), std::end(kCatalogRelations));
}

}  // namespace airlock::policy::detail
