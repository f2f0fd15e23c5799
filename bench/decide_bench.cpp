// Analyze + decide for typical agent statements, uncached and through the gateway's
// per-thread DecisionCache (the path a repeated statement takes). Goals on a 2-core machine:
// uncached < 3 us for pgbench's SELECT and < 8 us for a 3-way join; cached < 0.5 us.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "policy/evaluate.hpp"
#include "proxy/decision_cache.hpp"
#include "sql/analyze.hpp"
#include "sql/catalog_sources.hpp"

namespace {

using namespace airlock;

constexpr const char* kSchema =
    "CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler text);"
    "CREATE TABLE customers (id int PRIMARY KEY, name text, email text, region text);"
    "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, total numeric, created_at "
    "timestamptz);"
    "CREATE TABLE order_items (order_id int, sku text, qty int);";

constexpr const char* kPgbench = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
constexpr const char* kJoin =
    "SELECT c.region, count(*), sum(i.qty) FROM customers c JOIN orders o ON o.customer_id = "
    "c.id JOIN order_items i ON i.order_id = o.id GROUP BY c.region";
constexpr const char* kUpdate = "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 7";

struct Fixture {
  std::shared_ptr<const sql::Catalog> catalog =
      std::make_shared<const sql::Catalog>(*sql::catalog_from_schema_sql(kSchema));
  std::shared_ptr<const policy::AgentPolicy> policy = [] {
    policy::RuleSpec read;
    read.tables = {"public.pgbench_accounts", "public.customers", "public.orders",
                   "public.order_items"};
    read.actions = {"select", "update"};
    const policy::RuleSpec specs[] = {read};
    return std::make_shared<const policy::AgentPolicy>(
        policy::AgentPolicy::compile("bench", specs, {}));
  }();
  std::vector<std::string> path{"public"};
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void uncached(benchmark::State& state, const char* sql) {
  auto& f = fixture();
  for (auto _ : state) {
    auto a = sql::analyze(sql, {}, *f.catalog, f.path);
    auto d = policy::evaluate(*f.policy, a, {});
    benchmark::DoNotOptimize(d);
  }
}

void cached(benchmark::State& state, const char* sql) {
  auto& cache = proxy::DecisionCache::for_this_thread();
  cache.insert(1, "bench", "public", sql, proxy::Verdict::allow());
  for (auto _ : state) {
    const proxy::Verdict* v = cache.find(1, "bench", "public", sql);
    benchmark::DoNotOptimize(v);
  }
}

}  // namespace

BENCHMARK_CAPTURE(uncached, pgbench_select, kPgbench);
BENCHMARK_CAPTURE(uncached, three_way_join, kJoin);
BENCHMARK_CAPTURE(uncached, update_where, kUpdate);
BENCHMARK_CAPTURE(cached, pgbench_select, kPgbench);
BENCHMARK_CAPTURE(cached, three_way_join, kJoin);

BENCHMARK_MAIN();
