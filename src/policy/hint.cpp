// The hint attached to every deny and hold: what the agent may do, in one sentence per
// list, and how to ask for more. Written for the agent (an LLM reads it and adapts).
#include <string>
#include <vector>

#include "policy/agent_policy.hpp"

namespace airlock::policy {
namespace {

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

std::string names(const std::vector<ObjectName>& list) {
  std::vector<std::string> shown;
  for (const auto& n : list) shown.push_back(display(n));
  return join(shown);
}

std::string columns(const std::vector<std::string>& list) {
  std::vector<std::string> shown;
  for (const auto& c : list) shown.push_back(quote_identifier(c));
  return join(shown);
}

// "email, ssn (hash)": the style when it is not the default.
std::string masks(const std::vector<MaskSpec>& list) {
  std::vector<std::string> shown;
  for (const auto& m : list) {
    std::string text = quote_identifier(m.column);
    if (m.style != MaskStyle::Full) text += " (" + std::string(to_string(m.style)) + ")";
    shown.push_back(std::move(text));
  }
  return join(shown);
}

// "update (status, assignee) on public.tickets, max 50 rows"
std::string describe_entry(const CompiledEntry& e) {
  std::vector<std::string> parts;
  if (!e.tables.empty() && e.actions != 0) {
    std::vector<std::string> acts;
    for (unsigned a = 0; a < 32; ++a) {
      if ((e.actions >> a) & 1u) acts.emplace_back(to_string(static_cast<Action>(a)));
    }
    std::string text = join(acts);
    if (!e.columns.empty()) text += " (" + columns(e.columns) + ")";
    text += " on " + names(e.tables);
    if (!e.mask.empty()) text += ", masked " + masks(e.mask);
    if (!e.deny_columns.empty()) text += ", never " + columns(e.deny_columns);
    if (e.max_rows) text += ", at most " + std::to_string(*e.max_rows) + (*e.max_rows == 1 ? " row" : " rows");
    parts.push_back(std::move(text));
  }
  if (!e.sequences.empty()) parts.push_back("sequences " + names(e.sequences));
  if (!e.functions.empty()) parts.push_back("functions " + names(e.functions));
  return join(parts, "; ");
}

}  // namespace

std::string describe_policy(const std::string& agent, const std::vector<CompiledEntry>& entries) {
  std::vector<std::string> allowed;
  std::vector<std::string> held;
  for (const auto& e : entries) {
    std::string text = describe_entry(e);
    if (text.empty()) continue;
    (e.is_hold ? held : allowed).push_back(std::move(text));
  }
  std::string out = agent + " may: ";
  out += allowed.empty() ? "only transaction control, session settings and catalog reads"
                         : join(allowed, "; ");
  out += ".";
  if (!held.empty()) out += " With an approver's consent: " + join(held, "; ") + ".";
  out += " Ask an administrator to extend the policy.";
  return out;
}

}  // namespace airlock::policy
