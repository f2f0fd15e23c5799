// airlock policy replay | suggest: learning from the audit trail (issue #18;
// docs/policy.md, "Replaying the trail" and "Suggesting a policy").
//
// replay re-decides every recorded intent with a candidate config, exactly as `airlock check`
// decides (app/decide.cpp), and reports what would change. Exit 0 nothing changed, 1 some
// decision changed, 2 usage or config errors.
//
// suggest builds the narrowest allow list that covers what one agent did (suggest.hpp),
// checks it by deciding every observed statement under it, and prints it as YAML (with a
// diff against the agent's current policy given --config). Exit 0, 1 when the trail holds
// nothing of the agent, 2 usage or config errors.
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "app/commands.hpp"
#include "app/policy_source.hpp"
#include "app/since.hpp"
#include "app/replay.hpp"
#include "app/suggest.hpp"
#include "audit/files.hpp"
#include "audit/record.hpp"
#include "core/duration.hpp"
#include "sql/analyze.hpp"

namespace airlock::app {
namespace {

struct LearnOptions {
  std::string config;
  std::string audit_dir;
  std::string agent;
  std::string since;
  std::string schema;
  std::string dsn;
  bool json = false;
  bool strict = false;
  double headroom = 2.0;
};

// One intent as replay and suggest need it.
struct Intent {
  std::uint64_t seq = 0;
  std::string time;
  std::string agent;
  std::string session;
  std::string statement;
  std::string decision;
  std::string rule;
  std::string intent;  // the intent the agent stated (require_intent counts it)
};

struct Trail {
  std::vector<Intent> intents;
  std::unordered_map<std::uint64_t, std::int64_t> rows_by_intent;  // outcome rows_changed
  std::size_t bad_lines = 0;
  std::size_t files = 0;
};


// Reads every file of the trail in order, keeping the intents that match and the row counts
// of the outcomes that answer them. nullopt after printing why.
std::optional<Trail> read_trail(const char* cmd, const std::string& dir,
                                const std::string& agent, std::optional<std::int64_t> since) {
  auto listing = audit::list_files(dir);
  if (!listing) {
    std::cerr << cmd << ": " << dir << ": " << listing.error().message << "\n";
    return std::nullopt;
  }
  if (listing->files.empty()) {
    std::cerr << cmd << ": no trail files (audit-*.jsonl) in " << dir << "\n";
    return std::nullopt;
  }
  Trail t;
  t.files = listing->files.size();
  std::set<std::uint64_t> wanted;  // seqs of kept intents
  for (const auto& f : listing->files) {
    audit::LineReader reader(f.path);
    if (!reader.is_open()) {
      std::cerr << cmd << ": cannot read " << f.path << "\n";
      return std::nullopt;
    }
    std::string_view line;
    bool complete = true;
    while (reader.next(line, complete)) {
      // A last line without its newline is a write in progress (or torn): not a record yet.
      if (line.empty() || !complete) continue;
      auto r = audit::parse(line);
      if (!r) {
        ++t.bad_lines;
        continue;
      }
      if (!agent.empty() && r->agent != agent) continue;
      if (r->kind == audit::kind::kIntent) {
        if (since) {
          const auto ms = audit::parse_time_ms(r->time);
          if (!ms || *ms < *since) continue;
        }
        wanted.insert(r->seq);
        t.intents.push_back(Intent{r->seq, std::move(r->time), std::move(r->agent),
                                   std::move(r->session), std::move(r->statement),
                                   std::move(r->decision), std::move(r->rule),
                                   std::move(r->intent)});
      } else if (r->kind == audit::kind::kOutcome && r->ref && r->rows_changed &&
                 wanted.count(static_cast<std::uint64_t>(*r->ref)) != 0) {
        auto& rows = t.rows_by_intent[static_cast<std::uint64_t>(*r->ref)];
        rows = std::max(rows, *r->rows_changed);
      }
    }
  }
  if (t.bad_lines > 0) {
    std::cerr << cmd << ": " << t.bad_lines
              << " line(s) are not records and were skipped; run airlock audit verify\n";
  }
  return t;
}

// What both commands read: the catalog (--schema / --dsn) and the trail (--since, --agent).
// nullopt after printing why.
struct Inputs {
  sql::Catalog catalog;
  Trail trail;
};
std::optional<Inputs> read_inputs(const char* cmd, const LearnOptions& o) {
  std::optional<std::int64_t> since;
  if (!read_since(cmd, o.since, since)) return std::nullopt;
  std::string error;
  auto catalog = load_catalog(o.schema, o.dsn, error);
  if (!catalog) {
    std::cerr << cmd << ": " << error << "\n";
    return std::nullopt;
  }
  auto trail = read_trail(cmd, o.audit_dir, o.agent, since);
  if (!trail) return std::nullopt;
  return Inputs{std::move(*catalog), std::move(*trail)};
}

// The candidate's decision of one statement, with what it may depend on.
struct Redecided {
  std::string decision;
  std::string rule;
  std::string reason;
  std::string depends_on;
  bool literal_reader = false;
};

int run_replay(const LearnOptions& o) {
  constexpr const char* kCmd = "airlock policy replay";
  auto cfg = load_policy_config(o.config);
  if (!cfg) return kExitUsage;
  auto inputs = read_inputs(kCmd, o);
  if (!inputs) return kExitUsage;
  const auto catalog = &inputs->catalog;
  const auto trail = &inputs->trail;

  const std::vector<std::string> path{"public"};
  // (agent, statement, an intent stated): require_intent depends on the last.
  std::map<std::tuple<std::string, std::string, bool>, Redecided> cache;
  std::set<std::string> missing;
  std::vector<ReplayItem> items;
  items.reserve(trail->intents.size());
  for (auto& in : trail->intents) {
    auto [slot, fresh] = cache.try_emplace({in.agent, in.statement, !in.intent.empty()});
    Redecided& d = slot->second;
    if (fresh) {
      auto agent = cfg->agents.find(in.agent);
      if (agent == cfg->agents.end() || !agent->second.policy) {
        missing.insert(in.agent);
        d.decision = "deny";
        d.rule = "replay.unknown_agent";
        d.reason = "agent " + in.agent + " is not in " + o.config;
      } else {
        const policy::Decision pd =
            decide(*cfg, agent->second, *catalog, in.statement, in.intent);
        d.decision = std::string(policy::to_string(pd.verdict));
        d.rule = pd.rule;
        d.reason = pd.reason;
        const sql::Analysis a = sql::analyze(in.statement, {}, *catalog, path);
        d.depends_on = literal_dependence(in.statement, a, d.literal_reader);
      }
    }
    ReplayItem it;
    it.seq = in.seq;
    it.time = std::move(in.time);
    it.agent = std::move(in.agent);
    it.session = std::move(in.session);
    it.statement = std::move(in.statement);
    it.was_decision = std::move(in.decision);
    it.was_rule = std::move(in.rule);
    it.now_decision = d.decision;
    it.now_rule = d.rule;
    it.now_reason = d.reason;
    it.depends_on = d.depends_on;
    // A read-only front (MCP query/explain) refused what is not a pure read, whatever the
    // policy: it still would.
    if (it.was_rule == "gateway.read_only" && it.now_decision != "deny") {
      it.now_decision = "deny";
      it.now_rule = "gateway.read_only";
      it.now_reason = "this session runs only statements that change nothing";
    }
    if (d.literal_reader && it.change() != Change::None) {
      it.undecidable = is_literal_rule(it.now_decision == "allow" ? it.was_rule : it.now_rule);
    }
    items.push_back(std::move(it));
  }
  const ReplaySummary summary =
      summarize(items, std::vector<std::string>(missing.begin(), missing.end()));
  if (o.json) {
    std::cout << replay_json(summary, items)
                     .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << render_summary(summary, o.config);
  }
  return replay_exit_status(summary, o.strict);
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out += prefix + text.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  return out;
}

int run_suggest(const LearnOptions& o) {
  constexpr const char* kCmd = "airlock policy suggest";
  if (!(o.headroom >= 1.0) || o.headroom > 1e6) {
    std::cerr << kCmd << ": --headroom is a factor of at least 1.0 (2.0: twice the most rows "
                         "seen)\n";
    return kExitUsage;
  }
  std::shared_ptr<const config::Config> current;
  if (!o.config.empty() && !(current = load_policy_config(o.config))) return kExitUsage;
  auto inputs = read_inputs(kCmd, o);
  if (!inputs) return kExitUsage;
  const auto catalog = &inputs->catalog;
  const auto trail = &inputs->trail;
  if (trail->intents.empty()) {
    std::cerr << kCmd << ": the trail in " << o.audit_dir << " has no statements of agent "
              << o.agent << (o.since.empty() ? "" : " since " + o.since) << "\n";
    return kExitRefused;
  }

  // One Observed per distinct statement, in order of first appearance.
  std::vector<Observed> observed;
  std::unordered_map<std::string, std::size_t> index;
  std::map<std::string, std::size_t> decisions;
  for (const auto& in : trail->intents) {
    ++decisions[in.decision.empty() ? "none" : in.decision];
    auto [it, fresh] = index.try_emplace(in.statement, observed.size());
    if (fresh) {
      observed.push_back(Observed{in.statement, 0, std::int64_t{0}});
    }
    Observed& ob = observed[it->second];
    ++ob.records;
    auto rows = trail->rows_by_intent.find(in.seq);
    if (rows == trail->rows_by_intent.end()) {
      ob.max_rows_changed.reset();
    } else if (ob.max_rows_changed) {
      ob.max_rows_changed = std::max(*ob.max_rows_changed, rows->second);
    }
  }
  Suggestion s = build_suggestion(observed, *catalog, o.headroom);

  // Masks of the current policy are listed, not carried over: a person decides.
  if (current) {
    if (auto a = current->agents.find(o.agent); a != current->agents.end()) {
      for (const auto* list : {&a->second.allow, &a->second.hold}) {
        for (const auto& e : *list) {
          for (const auto& m : e.mask) {
            for (const auto& t : e.tables) {
              s.notes.push_back("masked in the current policy: " + t + "." + m.column +
                                " (style " + std::string(to_string(m.style)) + ")");
            }
          }
          for (const auto& c : e.deny_columns) {
            for (const auto& t : e.tables)
              s.notes.push_back("deny_columns in the current policy: " + t + "." + c);
          }
        }
      }
    }
  }

  // Check the suggestion: every observed statement decided under it, as the gateway would.
  const std::string rules = render_rules(s.allow, {});
  auto compiled = load_inline_policy(o.agent + ":\n" + indent(rules, "  "),
                                     "the suggested policy");
  std::vector<std::string> uncovered;
  if (compiled) {
    const auto& agent = compiled->agents.begin()->second;
    const std::vector<std::string> path{"public"};
    for (const auto& ob : observed) {
      const policy::Decision d = decide(*compiled, agent, *catalog, ob.statement);
      if (d.verdict == policy::Verdict::Allow) continue;
      bool literal = false;
      const std::string why =
          literal_dependence(ob.statement, sql::analyze(ob.statement, {}, *catalog, path), literal);
      uncovered.push_back(one_line(ob.statement, 120) + "  -> " +
                          std::string(policy::to_string(d.verdict)) + " [" + d.rule + "]" +
                          (why.empty() ? "" : " (" + why + ")"));
    }
  } else {
    std::cerr << kCmd << ": the suggested policy does not load; printed as is\n";
  }
  const std::string first = trail->intents.front().time;
  const std::string last = trail->intents.back().time;
  std::vector<std::string> header = {
      "airlock policy suggest: the allow list of agent " + o.agent + " (agents." + o.agent +
          " in the config),",
      "from " + std::to_string(trail->intents.size()) + " statement record(s), " +
          std::to_string(observed.size()) + " distinct, " + first + " to " + last + ".",
  };
  std::string tally;
  for (const auto& [k, n] : decisions)
    tally += (tally.empty() ? "" : ", ") + k + " " + std::to_string(n);
  header.push_back("Recorded decisions: " + tally + ". Review before enforcing it.");
  if (!uncovered.empty()) {
    s.notes.push_back("Still not allowed under this policy (" + std::to_string(uncovered.size()) +
                      " statement(s)); decide them yourself:");
    for (auto& u : uncovered) s.notes.push_back("  " + u);
  }
  std::cout << render_suggestion(s, header);
  if (current) {
    std::string before;
    if (auto a = current->agents.find(o.agent); a != current->agents.end()) {
      before = render_rules(a->second.allow, a->second.hold);
    } else {
      std::cout << "# agent " << o.agent << " is not in " << o.config << "\n";
    }
    const std::string diff =
        line_diff(o.config + " (agents." + o.agent + ")", before, "suggested", rules);
    if (diff.empty()) {
      std::cout << "# The suggestion equals the current policy of " << o.agent << " in "
                << o.config << ".\n";
    } else {
      std::cout << "#\n# Changes against the current policy:\n" << indent(diff, "# ");
    }
  }
  return kExitOk;
}

void add_catalog_options(CLI::App* cmd, LearnOptions& o) {
  auto* schema = cmd->add_option("--schema", o.schema, "Schema file (CREATE statements)");
  auto* dsn = cmd->add_option("--dsn", o.dsn, "Read the catalog from this database");
  schema->excludes(dsn);
}

template <class F>
void guarded(const char* cmd, int& exit_code, F run) {
  try {
    exit_code = run();
  } catch (const std::exception& e) {  // never std::terminate: report and exit 2
    std::cerr << cmd << ": " << e.what() << "\n";
    exit_code = kExitUsage;
  }
}

}  // namespace

void register_policy_learn(CLI::App& app, int& exit_code) {
  CLI::App* policy = app.get_subcommand("policy");  // made by register_policy_test
  auto o = std::make_shared<LearnOptions>();

  auto* replay = policy->add_subcommand(
      "replay", "Re-decide the audit trail's statements under a candidate config");
  replay->add_option("-c,--config", o->config, "Candidate config file (YAML)")->required();
  replay->add_option("--audit-dir", o->audit_dir, "Directory of the trail (audit-*.jsonl)")
      ->required();
  replay->add_option("-a,--agent", o->agent, "Only this agent's statements");
  replay->add_option("--since", o->since, "30m, 1h, 2d, or a time (2024-05-01T12:00:00.000Z)");
  add_catalog_options(replay, *o);
  replay->add_flag("--json", o->json, "The summary and every changed decision as JSON");
  replay->add_flag("--strict", o->strict,
                   "Changes that rest on a literal the trail does not keep also fail");
  replay->callback([o, &exit_code] {
    guarded("airlock policy replay", exit_code, [&] { return run_replay(*o); });
  });

  auto* suggest = policy->add_subcommand(
      "suggest", "Print the narrowest allow list covering what an agent did (YAML)");
  suggest->add_option("--audit-dir", o->audit_dir, "Directory of the trail (audit-*.jsonl)")
      ->required();
  suggest->add_option("-a,--agent", o->agent, "Agent name")->required();
  suggest->add_option("-c,--config", o->config, "Current config: print a diff against it");
  suggest->add_option("--since", o->since, "30m, 1h, 2d, or a time (2024-05-01T12:00:00.000Z)");
  suggest->add_option("--headroom", o->headroom, "max_rows = most rows seen times this")
      ->capture_default_str();
  add_catalog_options(suggest, *o);
  suggest->callback([o, &exit_code] {
    guarded("airlock policy suggest", exit_code, [&] { return run_suggest(*o); });
  });
}

}  // namespace airlock::app
