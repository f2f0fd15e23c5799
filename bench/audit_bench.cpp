// The audit trail on the data path and off it. Goals on a 2-core machine:
// - Writer::append (fsync=interval) well under 10 us: it runs before every statement is
//   forwarded; fsync=always costs whatever one fdatasync costs on the disk.
// - sql::normalize: the redaction every statement pays when literals are not kept.
// - search over 1,000,000 indexed records < 1 s for every filter (issue #5). The trail and
//   index are built once, in a temporary directory (about 600 MB, a minute or two).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "audit/index.hpp"
#include "audit/verify.hpp"
#include "audit/writer.hpp"
#include "sql/normalize.hpp"

namespace {

using namespace airlock;
namespace fs = std::filesystem;

std::string temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "airlock-audit-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

struct TempTree {
  std::string path = temp_dir();
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

audit::Record typical(std::uint64_t i) {
  static const char* agents[] = {"support-bot", "billing-agent", "analyst", "ops"};
  static const char* tables[] = {"public.subscriptions", "public.customers", "billing.invoices",
                                 "public.orders", "public.events"};
  static const char* decisions[] = {"allow", "allow", "allow", "deny", "hold"};
  audit::Record r;
  r.agent = agents[i % 4];
  r.session = "2f1c-" + std::to_string(i / 20);
  r.client = "10.0.3.17:52114";
  r.application_name = "langchain";
  r.mode = "enforce";
  r.statement = "SELECT id, plan, status FROM " + std::string(tables[i % 5]) +
                " WHERE customer_id = $1 AND status = $2 ORDER BY created_at DESC LIMIT $3";
  r.fingerprint = "a1b2c3d4e5f60718";
  r.tables = {tables[i % 5]};
  r.decision = decisions[i % 5];
  r.rule = r.decision == "allow" ? "read-only" : "no-pii";
  r.reason = "matched rule " + r.rule;
  return r;
}

void append_bench(benchmark::State& state, audit::FsyncPolicy policy) {
  static std::unique_ptr<TempTree> tree;
  static std::unique_ptr<audit::Writer> writer;
  if (state.thread_index() == 0) {
    tree = std::make_unique<TempTree>();
    audit::WriterOptions o;
    o.dir = tree->path;
    o.fsync = policy;
    auto w = audit::Writer::open(o);
    if (!w)
      state.SkipWithError(w.error().message.c_str());
    else
      writer = std::move(*w);
  }
  const audit::Record base = typical(static_cast<std::uint64_t>(state.thread_index()));
  for (auto _ : state) {
    audit::Record r = base;
    if (!writer->append(r)) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    writer.reset();
    tree.reset();
  }
}

void BM_AppendInterval(benchmark::State& s) { append_bench(s, audit::FsyncPolicy::Interval); }
void BM_AppendAlways(benchmark::State& s) { append_bench(s, audit::FsyncPolicy::Always); }
BENCHMARK(BM_AppendInterval)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_AppendAlways)->Iterations(2000)->UseRealTime();

void BM_Normalize(benchmark::State& state) {
  const std::string sql =
      "SELECT id, plan FROM public.subscriptions WHERE email = 'jane@example.com' AND "
      "status = 'active' LIMIT 10";
  for (auto _ : state) benchmark::DoNotOptimize(sql::normalize(sql));
}
BENCHMARK(BM_Normalize);

// One trail of a million records and its index, shared by the search benchmarks.
struct Million {
  static constexpr std::uint64_t kRecords = 1'000'000;
  TempTree tree;
  std::string dir = tree.path + "/trail";
  std::optional<audit::Index> index;
  std::string error;

  Million() {
    audit::WriterOptions o;
    o.dir = dir;
    auto w = audit::Writer::open(o);
    if (!w) {
      error = w.error().message;
      return;
    }
    for (std::uint64_t i = 0; i < kRecords; ++i) {
      audit::Record r = typical(i);
      if (i == kRecords / 2) r.statement += " /* needle */";
      if (!(*w)->append(r)) {
        error = "append failed";
        return;
      }
    }
    w->reset();
    auto idx = audit::Index::open(tree.path + "/index.db");
    if (!idx) {
      error = idx.error().message;
      return;
    }
    index.emplace(std::move(*idx));
    auto synced = audit::sync_index(dir, *index);
    if (!synced) error = synced.error().message;
  }

  static Million& get() {
    static Million m;
    return m;
  }
};

void search_bench(benchmark::State& state, const audit::SearchFilter& filter) {
  Million& m = Million::get();
  if (!m.error.empty()) {
    state.SkipWithError(m.error.c_str());
    return;
  }
  std::size_t found = 0;
  for (auto _ : state) {
    auto hits = m.index->search(filter);
    if (!hits)
      state.SkipWithError(hits.error().message.c_str());
    else
      found = hits->size();
  }
  state.counters["hits"] = static_cast<double>(found);
}

void BM_Search1M_AgentDeny(benchmark::State& s) {
  search_bench(s, {.agent = "billing-agent", .decision = "deny"});
}
void BM_Search1M_Table(benchmark::State& s) {
  search_bench(s, {.table = "billing.invoices", .limit = 1000});
}
void BM_Search1M_TextRare(benchmark::State& s) { search_bench(s, {.text = "needle"}); }
void BM_Search1M_TextNone(benchmark::State& s) { search_bench(s, {.text = "no such text"}); }
void BM_Search1M_AgentSinceDecisionTable(benchmark::State& s) {
  search_bench(s, {.agent = "ops", .since_ms = 0, .decision = "hold", .table = "events"});
}
void BM_Trace1M(benchmark::State& state) {
  Million& m = Million::get();
  if (!m.error.empty()) {
    state.SkipWithError(m.error.c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(m.index->trace("2f1c-25000"));
}
void BM_Verify1M(benchmark::State& state) {
  Million& m = Million::get();
  for (auto _ : state) {
    auto r = audit::verify(m.dir);
    if (!r || !r->ok) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(Million::kRecords));
}
BENCHMARK(BM_Search1M_AgentDeny)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Search1M_Table)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Search1M_TextRare)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Search1M_TextNone)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Search1M_AgentSinceDecisionTable)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Trace1M)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Verify1M)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
