// sql::analyze latency on typical agent statements. Goals (2-core dev machine, Release):
// pgbench SELECT < 3 us, 3-way join with GROUP BY < 8 us.
#include <benchmark/benchmark.h>

#include "sql/analyze.hpp"

namespace {

void run(benchmark::State& state, const char* sql) {
  const airlock::sql::AnalyzeLimits limits;
  for (auto _ : state) {
    airlock::sql::Analysis a = airlock::sql::analyze(sql, limits);
    benchmark::DoNotOptimize(a);
  }
}

void BM_PgbenchSelect(benchmark::State& s) {
  run(s, "SELECT abalance FROM pgbench_accounts WHERE aid = $1");
}
void BM_ThreeWayJoinGroupBy(benchmark::State& s) {
  run(s, "SELECT c.name, count(*), sum(o.total) FROM customers c JOIN orders o ON o.cid = c.id "
         "JOIN items i ON i.oid = o.id WHERE o.created > now() - interval '7 days' "
         "GROUP BY c.name HAVING count(*) > 3 ORDER BY 2 DESC LIMIT 10");
}
void BM_UpdateWhere(benchmark::State& s) {
  run(s, "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2");
}

BENCHMARK(BM_PgbenchSelect);
BENCHMARK(BM_ThreeWayJoinGroupBy);
BENCHMARK(BM_UpdateWhere);

}  // namespace

BENCHMARK_MAIN();
