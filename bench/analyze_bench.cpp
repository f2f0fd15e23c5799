// sql::analyze latency on typical agent statements. Goals (2-core dev machine, Release):
// pgbench SELECT < 3 us, 3-way join with GROUP BY < 8 us, both with catalog resolution,
// column facts and WHERE shapes (the *Catalog variants; the plain ones use the built-in
// catalog only).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "sql/analyze.hpp"
#include "sql/catalog_sources.hpp"

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE public.pgbench_accounts (aid integer NOT NULL, bid integer, abalance integer,
                                      filler character(84));
ALTER TABLE ONLY public.pgbench_accounts ADD CONSTRAINT pgbench_accounts_pkey PRIMARY KEY (aid);
CREATE TABLE public.customers (id integer PRIMARY KEY, name text, email text, phone text,
                               ssn text);
CREATE TABLE public.orders (id integer PRIMARY KEY, cid integer NOT NULL, total numeric,
                            created timestamptz);
CREATE TABLE public.items (id integer PRIMARY KEY, oid integer NOT NULL, sku text, qty integer);
)sql";

const airlock::sql::Catalog& catalog() {
  static const airlock::sql::Catalog c = *airlock::sql::catalog_from_schema_sql(kSchema);
  return c;
}

const std::vector<std::string>& path() {
  static const std::vector<std::string> p = {"public"};
  return p;
}

void run(benchmark::State& state, const char* sql) {
  const airlock::sql::AnalyzeLimits limits;
  for (auto _ : state) {
    airlock::sql::Analysis a = airlock::sql::analyze(sql, limits);
    benchmark::DoNotOptimize(a);
  }
}

void run_catalog(benchmark::State& state, const char* sql) {
  const airlock::sql::AnalyzeLimits limits;
  const airlock::sql::Catalog& c = catalog();
  for (auto _ : state) {
    airlock::sql::Analysis a = airlock::sql::analyze(sql, limits, c, path());
    benchmark::DoNotOptimize(a);
  }
}

constexpr const char* kPgbenchSelect = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
constexpr const char* kThreeWayJoin =
    "SELECT c.name, count(*), sum(o.total) FROM customers c JOIN orders o ON o.cid = c.id "
    "JOIN items i ON i.oid = o.id WHERE o.created > now() - interval '7 days' "
    "GROUP BY c.name HAVING count(*) > 3 ORDER BY 2 DESC LIMIT 10";
constexpr const char* kUpdateWhere =
    "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2";
constexpr const char* kSelectStar = "SELECT * FROM customers WHERE id = $1";

void BM_PgbenchSelect(benchmark::State& s) { run(s, kPgbenchSelect); }
void BM_ThreeWayJoinGroupBy(benchmark::State& s) { run(s, kThreeWayJoin); }
void BM_UpdateWhere(benchmark::State& s) { run(s, kUpdateWhere); }
void BM_PgbenchSelectCatalog(benchmark::State& s) { run_catalog(s, kPgbenchSelect); }
void BM_ThreeWayJoinGroupByCatalog(benchmark::State& s) { run_catalog(s, kThreeWayJoin); }
void BM_UpdateWhereCatalog(benchmark::State& s) { run_catalog(s, kUpdateWhere); }
void BM_SelectStarCatalog(benchmark::State& s) { run_catalog(s, kSelectStar); }

BENCHMARK(BM_PgbenchSelect);
BENCHMARK(BM_ThreeWayJoinGroupBy);
BENCHMARK(BM_UpdateWhere);
BENCHMARK(BM_PgbenchSelectCatalog);
BENCHMARK(BM_ThreeWayJoinGroupByCatalog);
BENCHMARK(BM_UpdateWhereCatalog);
BENCHMARK(BM_SelectStarCatalog);

}  // namespace

BENCHMARK_MAIN();
