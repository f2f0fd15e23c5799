#include "app/replay.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace airlock::app {
namespace {

bool ident_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '_' || c == '$' || u >= 0x80;
}

// If text[i] opens a quoted string, quoted identifier, dollar-quoted string or comment,
// returns the index just past it; otherwise returns i.
std::size_t skip_quoted(std::string_view t, std::size_t i) {
  const std::size_t n = t.size();
  const char c = t[i];
  if (c == '-' && i + 1 < n && t[i + 1] == '-') {
    const auto e = t.find('\n', i);
    return e == std::string_view::npos ? n : e + 1;
  }
  if (c == '/' && i + 1 < n && t[i + 1] == '*') {
    const auto e = t.find("*/", i + 2);
    return e == std::string_view::npos ? n : e + 2;
  }
  if (c == '\'') {
    const bool escapes = i > 0 && (t[i - 1] == 'E' || t[i - 1] == 'e') &&
                         (i < 2 || !ident_char(t[i - 2]));
    for (std::size_t k = i + 1; k < n; ++k) {
      if (escapes && t[k] == '\\') {
        ++k;
        continue;
      }
      if (t[k] == '\'') {
        if (k + 1 < n && t[k + 1] == '\'') {
          ++k;
          continue;
        }
        return k + 1;
      }
    }
    return n;
  }
  if (c == '"') {
    for (std::size_t k = i + 1; k < n; ++k) {
      if (t[k] == '"') {
        if (k + 1 < n && t[k + 1] == '"') {
          ++k;
          continue;
        }
        return k + 1;
      }
    }
    return n;
  }
  if (c == '$' && (i == 0 || !ident_char(t[i - 1])) && i + 1 < n &&
      std::isdigit(static_cast<unsigned char>(t[i + 1])) == 0) {
    // $tag$ ... $tag$ (or $$ ... $$)
    std::size_t k = i + 1;
    while (k < n && t[k] != '$' && ident_char(t[k])) ++k;
    if (k < n && t[k] == '$') {
      const std::string_view tag = t.substr(i, k - i + 1);
      const auto e = t.find(tag, k + 1);
      return e == std::string_view::npos ? n : e + tag.size();
    }
  }
  return i;
}

// The byte range of the argument list of the call whose name starts at `location`:
// [open paren, close paren]; {0, 0} when there is none.
std::pair<std::size_t, std::size_t> call_span(std::string_view t, std::size_t location) {
  std::size_t i = location;
  const std::size_t n = t.size();
  while (i < n && t[i] != '(') {
    if (t[i] == '"') {
      i = skip_quoted(t, i);
      continue;
    }
    if (!ident_char(t[i]) && t[i] != '.' && std::isspace(static_cast<unsigned char>(t[i])) == 0)
      return {0, 0};
    ++i;
  }
  if (i >= n) return {0, 0};
  const std::size_t open = i;
  int depth = 0;
  while (i < n) {
    if (const std::size_t j = skip_quoted(t, i); j != i) {
      i = j;
      continue;
    }
    if (t[i] == '(') ++depth;
    if (t[i] == ')' && --depth == 0) return {open, i};
    ++i;
  }
  return {open, n};
}

// The pg_catalog functions whose arguments the policy reads as literals (function_rules.cpp).
bool reads_arguments(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "nextval", "currval", "setval", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
      "current_setting", "set_config"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

std::string example_line(const ReplayItem& it) {
  std::string out = "      seq " + std::to_string(it.seq) + ": " + one_line(it.statement, 110);
  out += "\n        was " + it.was_decision + (it.was_rule.empty() ? "" : " (" + it.was_rule + ")");
  out += ", now " + it.now_decision + " (" + it.now_rule + ")";
  if (!it.now_reason.empty() && it.now_decision != "allow")
    out += ": " + one_line(it.now_reason, 100);
  if (!it.depends_on.empty()) out += "\n        depends on a literal: " + it.depends_on;
  return out + "\n";
}

}  // namespace

std::string_view change_label(Change c) noexcept {
  switch (c) {
    case Change::None: return "unchanged";
    case Change::AllowToDeny: return "allowed → denied";
    case Change::DenyToAllow: return "denied → allowed";
    case Change::NewlyHeld: return "newly held";
    case Change::HoldToAllow: return "held → allowed";
    case Change::HoldToDeny: return "held → denied";
  }
  return "unchanged";
}

std::string_view change_key(Change c) noexcept {
  switch (c) {
    case Change::None: return "none";
    case Change::AllowToDeny: return "allow_to_deny";
    case Change::DenyToAllow: return "deny_to_allow";
    case Change::NewlyHeld: return "newly_held";
    case Change::HoldToAllow: return "hold_to_allow";
    case Change::HoldToDeny: return "hold_to_deny";
  }
  return "none";
}

Change classify(std::string_view was, std::string_view now) noexcept {
  const auto norm = [](std::string_view v) {
    return v == "allow" || v == "hold" ? v : std::string_view("deny");
  };
  was = norm(was);
  now = norm(now);
  if (was == now) return Change::None;
  if (now == "hold") return Change::NewlyHeld;
  if (was == "allow") return Change::AllowToDeny;
  if (was == "deny") return Change::DenyToAllow;
  return now == "allow" ? Change::HoldToAllow : Change::HoldToDeny;
}

std::vector<std::size_t> placeholder_offsets(std::string_view t) {
  std::vector<std::size_t> out;
  std::size_t i = 0;
  while (i < t.size()) {
    if (const std::size_t j = skip_quoted(t, i); j != i) {
      i = j;
      continue;
    }
    if (t[i] == '$' && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i + 1])) &&
        (i == 0 || !ident_char(t[i - 1]))) {
      out.push_back(i);
      ++i;
      while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
      continue;
    }
    if (t[i] == '?') out.push_back(i);
    ++i;
  }
  return out;
}

bool is_literal_rule(std::string_view rule) noexcept {
  return rule == "builtin.unparsed" || rule == "builtin.sequence_function" ||
         rule == "builtin.setting_read" || rule == "builtin.dangerous_function" ||
         rule == "builtin.unknown_prepared";
}

std::string literal_dependence(std::string_view statement, const sql::Analysis& analysis,
                               bool& literal_reader) {
  literal_reader = false;
  if (analysis.ok()) {
    for (const auto& s : analysis.statements) {
      if (s.kind == sql::StatementKind::Execute || s.inner_kind == sql::StatementKind::Execute) {
        literal_reader = true;
        return "it runs a prepared statement (EXECUTE), decided as its PREPARE was in the "
               "session";
      }
    }
  }
  const std::vector<std::size_t> marks = placeholder_offsets(statement);
  if (marks.empty()) return "";
  if (!analysis.ok()) {
    literal_reader = true;
    return "it does not parse with its literals replaced by placeholders";
  }
  std::string found;
  for (const auto& s : analysis.statements) {
    for (const auto& f : s.functions) {
      if (f.location < 0 || static_cast<std::size_t>(f.location) >= statement.size()) continue;
      const auto [open, close] = call_span(statement, static_cast<std::size_t>(f.location));
      if (open == close) continue;
      const bool inside = std::any_of(marks.begin(), marks.end(), [&](std::size_t m) {
        return m > open && m < close;
      });
      if (!inside) continue;
      const std::string why = "a placeholder is an argument of " + f.name + "()";
      if (reads_arguments(f.name)) {
        literal_reader = true;
        return why + ", which the policy reads as a literal";
      }
      if (found.empty()) found = why;
    }
  }
  return found;
}

std::string one_line(std::string_view s, std::size_t width) {
  std::string out;
  out.reserve(std::min(s.size(), width + 3));
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() <= width) return out;
  std::size_t cut = width > 3 ? width - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

ReplaySummary summarize(const std::vector<ReplayItem>& items,
                        const std::vector<std::string>& missing_agents) {
  ReplaySummary s;
  std::map<std::string, AgentTally> agents;
  using Key = std::tuple<std::string, Change, std::string>;
  std::map<Key, ChangeGroup> groups;
  std::map<Key, std::set<std::string>> distinct;
  std::set<std::string> undecidable_seen;
  std::map<std::pair<std::string, std::string>, LiteralDependent> literal;
  for (const auto& it : items) {
    ++s.records;
    AgentTally& a = agents[it.agent];
    a.agent = it.agent;
    ++a.records;
    if (!it.depends_on.empty()) {
      ++s.literal_dependent_records;
      LiteralDependent& l = literal[{it.agent, it.statement}];
      l.agent = it.agent;
      l.statement = it.statement;
      l.why = it.depends_on;
      ++l.records;
    }
    const Change c = it.change();
    if (c == Change::None) continue;
    if (it.undecidable) {
      ++s.undecidable;
      if (s.undecidable_examples.size() < kExamples && undecidable_seen.insert(it.statement).second)
        s.undecidable_examples.push_back(&it);
      continue;
    }
    ++s.changed;
    ++a.changed;
    const Key key{it.agent, c, it.now_rule};
    ChangeGroup& g = groups[key];
    g.agent = it.agent;
    g.change = c;
    g.rule = it.now_rule;
    ++g.records;
    if (distinct[key].insert(it.statement).second) {
      ++g.statements;
      if (g.examples.size() < kExamples) g.examples.push_back(&it);
    }
  }
  for (const auto& m : missing_agents) {
    if (auto f = agents.find(m); f != agents.end()) f->second.missing = true;
  }
  for (auto& [name, a] : agents) s.agents.push_back(a);
  for (auto& [key, g] : groups) s.groups.push_back(std::move(g));
  for (auto& [key, l] : literal) s.literal_dependent.push_back(std::move(l));
  // Within an agent: by kind of change, then the largest groups first.
  const auto order = [](const ChangeGroup& x, const ChangeGroup& y) {
    if (x.agent != y.agent) return x.agent < y.agent;
    if (x.change != y.change) return x.change < y.change;
    return x.records > y.records;
  };
  std::stable_sort(s.groups.begin(), s.groups.end(), order);
  return s;
}

std::string render_summary(const ReplaySummary& s, const std::string& candidate) {
  std::ostringstream out;
  out << "airlock policy replay: " << s.records << " intent record(s) of " << s.agents.size()
      << " agent(s) re-decided under " << candidate << "\n";
  for (const auto& a : s.agents) {
    out << "\nagent " << a.agent << ": " << a.records << " record(s), " << a.changed
        << " changed";
    if (a.missing) out << " (not in the candidate config: every statement is denied)";
    out << "\n";
    for (const auto& g : s.groups) {
      if (g.agent != a.agent) continue;
      out << "  " << change_label(g.change) << "  [" << g.rule << "]  " << g.records
          << " record(s), " << g.statements << " distinct statement(s)\n";
      for (const ReplayItem* e : g.examples) out << example_line(*e);
    }
  }
  if (s.undecidable > 0) {
    out << "\nnot replayable: " << s.undecidable
        << " record(s) whose candidate decision rests on a literal the trail does not keep "
           "(counted only with --strict)\n";
    for (const ReplayItem* e : s.undecidable_examples) out << example_line(*e);
  }
  if (s.literal_dependent_records > 0) {
    out << "\n" << s.literal_dependent_records << " record(s) (" << s.literal_dependent.size()
        << " distinct statement(s)) have a decision that may depend on a literal the trail "
           "replaced with a placeholder (--json lists them)\n";
  }
  out << "\n" << (s.changed == 0 ? "no decision changed" : std::to_string(s.changed) +
                                                               " decision(s) changed")
      << "\n";
  return out.str();
}

nlohmann::ordered_json replay_json(const ReplaySummary& s, const std::vector<ReplayItem>& items) {
  using J = nlohmann::ordered_json;
  J out;
  out["records"] = s.records;
  out["changed"] = s.changed;
  out["undecidable"] = s.undecidable;
  J agents = J::array();
  for (const auto& a : s.agents) {
    J j;
    j["agent"] = a.agent;
    j["records"] = a.records;
    j["changed"] = a.changed;
    j["missing"] = a.missing;
    agents.push_back(std::move(j));
  }
  out["agents"] = std::move(agents);
  J summary = J::array();
  for (const auto& g : s.groups) {
    J j;
    j["agent"] = g.agent;
    j["change"] = change_key(g.change);
    j["rule"] = g.rule;
    j["records"] = g.records;
    j["statements"] = g.statements;
    J ex = J::array();
    for (const ReplayItem* e : g.examples) ex.push_back(e->seq);
    j["examples"] = std::move(ex);
    summary.push_back(std::move(j));
  }
  out["summary"] = std::move(summary);
  J changes = J::array();
  for (const auto& it : items) {
    const Change c = it.change();
    if (c == Change::None) continue;
    J j;
    j["seq"] = it.seq;
    j["time"] = it.time;
    j["agent"] = it.agent;
    j["session"] = it.session;
    j["statement"] = it.statement;
    j["change"] = change_key(c);
    j["recorded"] = {{"decision", it.was_decision}, {"rule", it.was_rule}};
    j["candidate"] = {{"decision", it.now_decision}, {"rule", it.now_rule},
                      {"reason", it.now_reason}};
    j["depends_on_literal"] = it.depends_on.empty() ? J(nullptr) : J(it.depends_on);
    j["undecidable"] = it.undecidable;
    changes.push_back(std::move(j));
  }
  out["changes"] = std::move(changes);
  J literal = J::array();
  for (const auto& l : s.literal_dependent) {
    literal.push_back(J{{"agent", l.agent}, {"statement", l.statement}, {"depends_on", l.why},
                        {"records", l.records}});
  }
  out["depends_on_literal"] = std::move(literal);
  return out;
}

int replay_exit_status(const ReplaySummary& s, bool strict) noexcept {
  return s.changed > 0 || (strict && s.undecidable > 0) ? 1 : 0;
}

}  // namespace airlock::app
