// airlock audit verify | anchor | search | trace: offline tools over the audit trail named
// by a config file's audit: section (docs/audit.md). verify exits 0 when the trail is
// intact, 1 when it is not (and prints file:line: problem: reason), 2 on usage or config
// errors; the others exit 0 or 2.
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/commands.hpp"
#include "app/policy_source.hpp"
#include "app/since.hpp"
#include "audit/chain.hpp"
#include "audit/index.hpp"
#include "audit/record.hpp"
#include "audit/verify.hpp"
#include "core/duration.hpp"

namespace airlock::app {
namespace {

struct AuditOptions {
  std::string config;
  std::string from;
  std::string anchor;
  bool json = false;
  audit::SearchFilter filter;
  std::string since;
  std::string session;
};

// The audit directory and index database of a config, or nullopt after printing why.
struct Trail {
  std::string dir;
  std::string db;
};

std::optional<Trail> trail_of(const std::string& config_path) {
  auto cfg = load_policy_config(config_path);
  if (!cfg) return std::nullopt;
  if (cfg->audit.dir.empty()) {
    std::cerr << "airlock audit: " << config_path << " has no audit: {dir: ...} section\n";
    return std::nullopt;
  }
  Trail t{cfg->audit.dir, cfg->state.path};
  if (t.db.empty()) t.db = t.dir + "/index.db";
  return t;
}

std::optional<audit::Head> parse_anchor(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  audit::Head h;
  try {
    std::size_t used = 0;
    h.seq = std::stoull(text.substr(0, colon), &used);
    if (used != colon) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  h.hash = text.substr(colon + 1);
  if (!audit::is_hash(h.hash)) return std::nullopt;
  return h;
}

int run_verify(const AuditOptions& o) {
  auto trail = trail_of(o.config);
  if (!trail) return kExitUsage;
  std::optional<audit::Head> anchor;
  if (!o.anchor.empty() && !(anchor = parse_anchor(o.anchor))) {
    std::cerr << "airlock audit verify: --anchor expects SEQ:HASH as printed by airlock audit "
                 "anchor\n";
    return kExitUsage;
  }
  auto report = audit::verify(trail->dir, o.from, anchor);
  if (!report) {
    std::cerr << "airlock audit verify: " << report.error().message << "\n";
    return kExitUsage;
  }
  if (!report->ok) {
    std::cout << trail->dir << "/" << report->where() << ": " << audit::to_string(report->problem)
              << ": " << report->reason << "\n";
    std::cout << "airlock audit verify: the trail is not intact (" << report->records
              << " records good before this point)\n";
    return kExitRefused;
  }
  std::cout << "ok: " << report->records << " records in " << report->files << " file(s); head "
            << report->head.seq << ":" << report->head.hash << "\n";
  return kExitOk;
}

int run_anchor(const AuditOptions& o) {
  auto trail = trail_of(o.config);
  if (!trail) return kExitUsage;
  auto head = audit::anchor(trail->dir);
  if (!head) {
    std::cerr << "airlock audit anchor: " << head.error().message << "\n";
    return kExitUsage;
  }
  if (o.json) {
    nlohmann::ordered_json j;
    j["seq"] = head->seq;
    j["hash"] = head->hash;
    j["time"] = audit::format_time(std::chrono::system_clock::now());
    std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    std::cout << head->seq << ":" << head->hash << "\n";
  }
  return kExitOk;
}


std::string one_line(std::string s, std::size_t width) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  if (s.size() > width) s = s.substr(0, width - 3) + "...";
  return s;
}

void print_hits(const std::string& dir, const std::vector<audit::Hit>& hits, bool json) {
  if (json) {
    for (const auto& h : hits) {
      // The record as the trail holds it; the index's copy if the file changed since.
      if (auto line = audit::read_line(dir, h)) {
        std::cout << *line << "\n";
        continue;
      }
      nlohmann::ordered_json j;
      j["seq"] = h.seq;
      j["time"] = audit::format_time(
          std::chrono::system_clock::time_point(std::chrono::milliseconds(h.time_ms)));
      j["kind"] = h.kind;
      j["agent"] = h.agent;
      j["session"] = h.session;
      j["statement"] = h.statement;
      if (!h.intent.empty()) j["intent"] = h.intent;
      j["decision"] = h.decision;
      j["rule"] = h.rule;
      j["file"] = h.file;
      j["line"] = h.line;
      j["stale"] = true;
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return;
  }
  std::size_t agent_w = 5, session_w = 7, rule_w = 4;
  for (const auto& h : hits) {
    agent_w = std::max(agent_w, std::min<std::size_t>(h.agent.size(), 24));
    session_w = std::max(session_w, std::min<std::size_t>(h.session.size(), 24));
    rule_w = std::max(rule_w, std::min<std::size_t>(h.rule.size(), 24));
  }
  std::cout << std::left << std::setw(8) << "SEQ"
            << " " << std::setw(24) << "TIME"
            << " " << std::setw(static_cast<int>(agent_w)) << "AGENT"
            << " " << std::setw(static_cast<int>(session_w)) << "SESSION"
            << " " << std::setw(7) << "KIND"
            << " " << std::setw(8) << "DECISION"
            << " " << std::setw(static_cast<int>(rule_w)) << "RULE"
            << " STATEMENT\n";
  for (const auto& h : hits) {
    const auto time = audit::format_time(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(h.time_ms)));
    std::cout << std::left << std::setw(8) << h.seq << " " << std::setw(24) << time << " "
              << std::setw(static_cast<int>(agent_w)) << one_line(h.agent, agent_w) << " "
              << std::setw(static_cast<int>(session_w)) << one_line(h.session, session_w) << " "
              << std::setw(7) << h.kind << " " << std::setw(8) << h.decision << " "
              << std::setw(static_cast<int>(rule_w)) << one_line(h.rule, rule_w) << " "
              << one_line(h.statement, 100) << "\n";
  }
}

// Opens the index and brings it up to date with the trail.
std::optional<audit::Index> synced_index(const Trail& trail, const char* cmd) {
  auto index = audit::Index::open(trail.db);
  if (!index) {
    std::cerr << "airlock audit " << cmd << ": " << index.error().message << "\n";
    return std::nullopt;
  }
  auto stats = audit::sync_index(trail.dir, *index);
  if (!stats) {
    std::cerr << "airlock audit " << cmd << ": " << stats.error().message << "\n";
    return std::nullopt;
  }
  if (stats->skipped > 0)
    std::cerr << "airlock audit " << cmd << ": " << stats->skipped
              << " line(s) are not records; run airlock audit verify\n";
  return std::move(*index);
}

int run_search(AuditOptions o) {
  if (!read_since("airlock audit search", o.since, o.filter.since_ms)) return kExitUsage;
  auto trail = trail_of(o.config);
  if (!trail) return kExitUsage;
  auto index = synced_index(*trail, "search");
  if (!index) return kExitUsage;
  auto hits = index->search(o.filter);
  if (!hits) {
    std::cerr << "airlock audit search: " << hits.error().message << "\n";
    return kExitUsage;
  }
  print_hits(trail->dir, *hits, o.json);
  return kExitOk;
}

int run_trace(const AuditOptions& o) {
  auto trail = trail_of(o.config);
  if (!trail) return kExitUsage;
  auto index = synced_index(*trail, "trace");
  if (!index) return kExitUsage;
  auto hits = index->trace(o.session);
  if (!hits) {
    std::cerr << "airlock audit trace: " << hits.error().message << "\n";
    return kExitUsage;
  }
  if (hits->empty() && !o.json) {
    std::cerr << "airlock audit trace: no records for session " << o.session << "\n";
    return kExitOk;
  }
  print_hits(trail->dir, *hits, o.json);
  return kExitOk;
}

}  // namespace

void register_audit(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AuditOptions>();
  auto* audit = app.add_subcommand("audit", "Verify, anchor and search the audit trail");
  audit->require_subcommand(1);
  const auto config = [&](CLI::App* cmd) {
    cmd->add_option("-c,--config", o->config, "Config file (YAML) with an audit: section")
        ->required();
  };

  auto* verify = audit->add_subcommand("verify", "Check every hash, link and seq of the trail");
  config(verify);
  verify->add_option("--from", o->from, "Start at this trail file (older ones were archived)");
  verify->add_option("--anchor", o->anchor, "SEQ:HASH from an earlier airlock audit anchor");
  verify->callback([o, &exit_code] { exit_code = run_verify(*o); });

  auto* anchor = audit->add_subcommand("anchor", "Print the head SEQ:HASH, to keep elsewhere");
  config(anchor);
  anchor->add_flag("--json", o->json, "One JSON object");
  anchor->callback([o, &exit_code] { exit_code = run_anchor(*o); });

  auto* search = audit->add_subcommand("search", "Find records (the newest --limit matches)");
  config(search);
  search->add_option("--agent", o->filter.agent, "Agent name");
  search->add_option("--since", o->since, "30m, 1h, 2d, or a time (2024-05-01T12:00:00.000Z)");
  search->add_option("--decision", o->filter.decision, "allow | deny | hold")
      ->check(CLI::IsMember({"allow", "deny", "hold"}));
  search->add_option("--table", o->filter.table, "Part of a table name (public.subscriptions)");
  search->add_option("--text", o->filter.text, "Part of the statement text");
  search->add_option("--session", o->filter.session, "Session id");
  search->add_option("--intent", o->filter.intent,
                     "Part of the intent the agent stated (case-insensitive)");
  search->add_option("--limit", o->filter.limit, "At most this many (0 = all)")
      ->capture_default_str();
  search->add_flag("--json", o->json, "Records as JSON lines, as in the trail");
  search->callback([o, &exit_code] { exit_code = run_search(*o); });

  auto* trace = audit->add_subcommand("trace", "A session's records in order");
  config(trace);
  trace->add_option("session", o->session, "Session id")->required();
  trace->add_flag("--json", o->json, "Records as JSON lines, as in the trail");
  trace->callback([o, &exit_code] { exit_code = run_trace(*o); });
}

}  // namespace airlock::app
