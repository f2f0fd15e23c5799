#pragma once
// Where a Catalog comes from:
//   catalog_from_schema_sql  a DDL file (e.g. `pg_dump --schema-only`), parsed with the same
//                            parser as statements; CREATE SCHEMA/TABLE/VIEW/MATERIALIZED VIEW/
//                            TABLE AS/SEQUENCE/FUNCTION/PROCEDURE, ALTER TABLE ADD COLUMN /
//                            ADD PRIMARY KEY / SET NOT NULL / DROP COLUMN, and SET search_path
//                            are read; every other statement is skipped.
//   catalog_query_sql +      a live server: the gateway or CLI runs the query with its own
//   catalog_from_rows        client and hands over the rows as text.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "sql/catalog.hpp"

namespace airlock::sql {

Result<Catalog> catalog_from_schema_sql(std::string_view ddl);

// One query, eight text columns per row, rows in any order:
//   'n', schema
//   'r', schema, relation, relkind, attnum, attname, attnotnull ('t'/'f')
//        (attnum/attname NULL for a relation without columns)
//   'f', schema, function, pronargs, provolatile, prosecdef ('t'/'f'), pronargdefaults,
//        variadic ('t'/'f')
// Covers every schema but pg_toast and other sessions' temporary schemas.
std::string_view catalog_query_sql();

using CatalogRow = std::vector<std::optional<std::string>>;
Result<Catalog> catalog_from_rows(const std::vector<CatalogRow>& rows);

// pg_proc.provolatile and pg_class.relkind codes.
Volatility volatility_from_code(char c) noexcept;
RelationKind relation_kind_from_code(char c) noexcept;

}  // namespace airlock::sql
