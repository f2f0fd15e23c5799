// names_differential: protocol::NameState against a real PostgreSQL 15 (issue #21).
//
//   names_differential SOCKET_DIR PORT USER DATABASE [--seed N] [--iterations N]
//       [--max-ops N] [--seconds S] [--basic] [--no-minimize]
//       [--replay 'SCRIPT'] [--trace] [--keep-going]
//
// Each sequence is a fresh session (trust authentication over the unix socket) driven by
// random client messages through a mirror of the gateway's name rules (names_run.hpp). A
// violation prints the seed, the sequence as a script for --replay, each message's decision
// and answers, and a minimized script; the exit code is then 1 (2: the tool itself failed).
// --keep-going reports every violating sequence and carries on.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "names_run.hpp"

namespace {

using namespace airlock::differential;

int usage() {
  std::fprintf(stderr,
               "usage: names_differential SOCKET_DIR PORT USER DATABASE [--seed N] "
               "[--iterations N] [--max-ops N] [--seconds S] [--basic] "
               "[--no-minimize] [--keep-going] "
               "[--replay SCRIPT] [--trace]\n");
  return 2;
}

std::uint64_t mix(std::uint64_t seed, std::uint64_t i) {
  Rng r(seed ^ (i * 0x2545f4914f6cdd1dULL));
  return r.next();
}

void summary(const Counts& c, std::uint64_t seed, double secs) {
  auto pct = [](std::uint64_t a, std::uint64_t b) { return b ? 100.0 * a / b : 0.0; };
  const auto& s = c.sent;
  const auto& r = c.replaced;
  auto k = [](OpKind x) { return static_cast<std::size_t>(x); };
  std::uint64_t messages = c.queries;
  for (std::size_t i = 0; i < s.size(); ++i) messages += s[i] + r[i];
  std::printf(
      "names_differential: seed %llu: %llu sequences, %llu messages in %.1f s "
      "(%.1f sequences/s)\n",
      static_cast<unsigned long long>(seed), static_cast<unsigned long long>(c.sequences),
      static_cast<unsigned long long>(messages), secs, secs > 0 ? c.sequences / secs : 0.0);
  auto line = [&](const char* name, std::uint64_t sent, std::uint64_t replaced) {
    std::printf("  %-9s sent %7llu  replaced %6llu  (%.0f%% allowed)\n", name,
                static_cast<unsigned long long>(sent), static_cast<unsigned long long>(replaced),
                pct(sent, sent + replaced));
  };
  line("Bind", s[k(OpKind::Bind)], r[k(OpKind::Bind)]);
  line("Execute", s[k(OpKind::Execute)], r[k(OpKind::Execute)]);
  line("EXECUTE", c.exec_sent, c.exec_replaced);
  std::printf("  Parse %llu, Describe %llu, Close %llu, Flush %llu, Sync %llu, Query %llu\n",
              static_cast<unsigned long long>(s[k(OpKind::Parse)]),
              static_cast<unsigned long long>(s[k(OpKind::Describe)]),
              static_cast<unsigned long long>(s[k(OpKind::Close)]),
              static_cast<unsigned long long>(s[k(OpKind::Flush)]),
              static_cast<unsigned long long>(s[k(OpKind::Sync)]),
              static_cast<unsigned long long>(c.queries));
  std::printf(
      "  checked: %llu rows, %llu command tags, %llu end states; %llu empty portals run, "
      "%llu server errors, %llu pipelined reads\n",
      static_cast<unsigned long long>(c.rows_checked),
      static_cast<unsigned long long>(c.tags_checked),
      static_cast<unsigned long long>(c.state_checks),
      static_cast<unsigned long long>(c.empty_runs),
      static_cast<unsigned long long>(c.server_errors),
      static_cast<unsigned long long>(c.pipelined_syncs));
}

void report(const Outcome& o, const std::vector<Op>& ops) {
  std::printf("VIOLATION: %s\n  script: %s\n  trace (op, decision [model view], answers):\n%s",
              o.what.c_str(), format_script(ops).c_str(), o.trace.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) return usage();
  Target t{argv[1], std::atoi(argv[2]), argv[3], argv[4]};
  std::uint64_t seed =
      static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  std::uint64_t iterations = 300;
  std::size_t max_ops = 30;
  double seconds = 0;
  Options opt;
  bool minimize_it = true, trace = false, keep_going = false;
  std::uint64_t violations = 0;
  std::string replay;
  for (int i = 5; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--seed" && has)
      seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--iterations" && has)
      iterations = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--max-ops" && has)
      max_ops = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seconds" && has)
      seconds = std::atof(argv[++i]);
    else if (a == "--replay" && has)
      replay = argv[++i];
    else if (a == "--basic")
      opt.basic = true;
    else if (a == "--no-minimize")
      minimize_it = false;
    else if (a == "--keep-going")
      keep_going = true;
    else if (a == "--trace")
      trace = true;
    else
      return usage();
  }
  Counts counts;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (!replay.empty()) {
    std::string error;
    auto ops = parse_script(replay, error);
    if (!ops) {
      std::fprintf(stderr, "names_differential: %s\n", error.c_str());
      return 2;
    }
    Run r(t, opt, counts);
    const Outcome o = r.run(*ops);
    if (!o.ok) {
      report(o, *ops);
      return o.harness_error ? 2 : 1;
    }
    std::printf("replay: no violation\n%s", trace ? o.trace.c_str() : "");
    return 0;
  }
  std::printf("names_differential: seed %llu (replay with --seed %llu)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    if (seconds > 0 && elapsed() >= seconds) break;
    Rng rng(mix(seed, i));
    std::vector<Op> ops;
    Run r(t, opt, counts);
    const Outcome o = r.run(ops, &rng, max_ops);
    if (trace)
      std::printf("sequence %llu: %s\n%s", static_cast<unsigned long long>(i),
                  format_script(ops).c_str(), o.trace.c_str());
    if (o.ok) continue;
    std::printf("seed %llu, sequence %llu\n", static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(i));
    report(o, ops);
    std::fflush(stdout);
    if (o.harness_error) {
      summary(counts, seed, elapsed());
      return 2;
    }
    if (minimize_it) {
      const auto small = minimize(ops, t, opt, 2000);
      Counts scratch;
      Run again(t, opt, scratch);
      auto copy = small;
      const Outcome m = again.run(copy);
      std::printf("minimized (%zu of %zu ops):\n", small.size(), ops.size());
      if (m.ok)
        std::printf("  (does not reproduce by replay)\n");
      else
        report(m, small);
    }
    ++violations;
    if (keep_going) continue;
    summary(counts, seed, elapsed());
    return 1;
  }
  summary(counts, seed, elapsed());
  if (violations > 0) {
    std::printf("names_differential: %llu sequences with a violation\n",
                static_cast<unsigned long long>(violations));
    return 1;
  }
  return 0;
}
