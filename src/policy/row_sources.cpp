// Whether a statement's functions may run more than once: a function in a target list or
// WHERE runs once per row of the FROM items, and once per row a set-returning function in
// the same target list yields (judge_functions, builtin.sleep_per_row).
#include <algorithm>
#include <array>
#include <string_view>

#include "policy/judge.hpp"

namespace airlock::policy::detail {
namespace {

// PostgreSQL 15's set-returning functions of pg_catalog and information_schema
// (pg_proc.proretset), sorted.
constexpr std::array<std::string_view, 80> kSetReturning = {
    "_pg_expandarray", "aclexplode", "generate_series", "generate_subscripts",
    "json_array_elements", "json_array_elements_text", "json_each", "json_each_text",
    "json_object_keys", "json_populate_recordset", "json_to_recordset", "jsonb_array_elements",
    "jsonb_array_elements_text", "jsonb_each", "jsonb_each_text", "jsonb_object_keys",
    "jsonb_path_query", "jsonb_path_query_tz", "jsonb_populate_recordset", "jsonb_to_recordset",
    "pg_available_extension_versions", "pg_available_extensions", "pg_config", "pg_cursor",
    "pg_event_trigger_ddl_commands", "pg_event_trigger_dropped_objects",
    "pg_extension_update_paths", "pg_get_backend_memory_contexts", "pg_get_catalog_foreign_keys",
    "pg_get_keywords", "pg_get_multixact_members", "pg_get_publication_tables",
    "pg_get_replication_slots", "pg_get_shmem_allocations", "pg_get_wal_resource_managers",
    "pg_hba_file_rules", "pg_ident_file_mappings", "pg_listening_channels", "pg_lock_status",
    "pg_logical_slot_get_binary_changes", "pg_logical_slot_get_changes",
    "pg_logical_slot_peek_binary_changes", "pg_logical_slot_peek_changes",
    "pg_ls_archive_statusdir", "pg_ls_dir", "pg_ls_logdir", "pg_ls_logicalmapdir",
    "pg_ls_logicalsnapdir", "pg_ls_replslotdir", "pg_ls_tmpdir", "pg_ls_waldir",
    "pg_mcv_list_items", "pg_options_to_table", "pg_partition_ancestors", "pg_partition_tree",
    "pg_prepared_statement", "pg_prepared_xact", "pg_show_all_file_settings",
    "pg_show_all_settings", "pg_show_replication_origin_status", "pg_snapshot_xip",
    "pg_stat_get_activity", "pg_stat_get_backend_idset", "pg_stat_get_progress_info",
    "pg_stat_get_recovery_prefetch", "pg_stat_get_slru", "pg_stat_get_subscription",
    "pg_stat_get_wal_senders", "pg_tablespace_databases", "pg_timezone_abbrevs",
    "pg_timezone_names", "regexp_matches", "regexp_split_to_table", "string_to_table", "ts_debug",
    "ts_parse", "ts_stat", "ts_token_type", "txid_snapshot_xip", "unnest",
};
static_assert(std::is_sorted(kSetReturning.begin(), kSetReturning.end()));

bool builtin_schema(std::string_view s) { return s == "pg_catalog" || s == "information_schema"; }

}  // namespace

bool is_sleep_function(std::string_view name) {
  return name == "pg_sleep" || name == "pg_sleep_for" || name == "pg_sleep_until";
}

bool reads_rows(const sql::StatementFacts& s) {
  // Tables, views, sequences and WITH queries (a recursive one makes any number of rows);
  // any FROM item (VALUES, XMLTABLE and sub-selects make rows too).
  if (!s.relations.empty() || s.has_from) return true;
  for (const sql::FunctionRef& f : s.functions) {
    const std::string_view schema = f.resolved ? std::string_view(f.resolved_schema) : f.schema;
    const bool builtin = f.resolved && builtin_schema(schema);
    if (builtin && is_sleep_function(f.name)) continue;  // one call, one row
    // Any other function in FROM, a built-in set-returning one anywhere, and any function
    // that is not built in (the catalog does not record proretset; it may return a set).
    if (f.site == sql::FunctionSite::FromClause || !builtin) return true;
    if (std::binary_search(kSetReturning.begin(), kSetReturning.end(), f.name)) return true;
  }
  return false;
}

}  // namespace airlock::policy::detail
