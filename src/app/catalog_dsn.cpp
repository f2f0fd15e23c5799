// --dsn: the catalog of a live database, read with libpq (the only libpq user; linked into
// the app alone). Runs sql::catalog_query_sql() in a read-only transaction.
#include <libpq-fe.h>

#include <memory>

#include "app/policy_source.hpp"
#include "sql/catalog_sources.hpp"

namespace airlock::app {
namespace {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};

}  // namespace

std::optional<sql::Catalog> catalog_from_dsn(const std::string& dsn, std::string& error) {
  std::unique_ptr<PGconn, ConnCloser> conn(PQconnectdb(dsn.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    error = std::string("cannot connect: ") + (conn ? PQerrorMessage(conn.get()) : "no memory");
    return std::nullopt;
  }
  std::unique_ptr<PGresult, ResultClear> begin(
      PQexec(conn.get(), "BEGIN TRANSACTION READ ONLY"));
  const std::string query(sql::catalog_query_sql());
  std::unique_ptr<PGresult, ResultClear> res(PQexec(conn.get(), query.c_str()));
  if (!res || PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    error = std::string("catalog query failed: ") + PQerrorMessage(conn.get());
    return std::nullopt;
  }
  std::vector<sql::CatalogRow> rows;
  const int n = PQntuples(res.get());
  const int cols = PQnfields(res.get());
  rows.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    sql::CatalogRow row;
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(res.get(), i, c)) row.emplace_back(std::nullopt);
      else row.emplace_back(std::string(PQgetvalue(res.get(), i, c)));
    }
    rows.push_back(std::move(row));
  }
  auto catalog = sql::catalog_from_rows(rows);
  if (!catalog) {
    error = "catalog rows: " + catalog.error().message;
    return std::nullopt;
  }
  return std::move(*catalog);
}

}  // namespace airlock::app
