// SET, RESET, SET TRANSACTION, SET SESSION CHARACTERISTICS and BEGIN ... READ WRITE.
#include <string>

#include "core/utf8.hpp"
#include "policy/builtin_settings.hpp"
#include "policy/judge.hpp"

namespace airlock::policy::detail {
namespace {

using sql::SettingAction;

std::vector<std::string> split_path(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string item = value.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

// READ WRITE is harmless in Airlock's model (every write is still checked), but it only
// ever serves to write: an agent with no write entry is refused it outright.
void judge_read_write(Judge& j, bool read_only, const std::string& what) {
  if (read_only || j.policy.may_write()) return j.allow("builtin.read_write_mode");
  j.deny("builtin.read_write_mode",
         what + ": " + j.agent() + " may not write, so it may not leave read-only mode");
}

void judge_change(Judge& j, const sql::SettingChange& c) {
  if (c.action == SettingAction::ResetAll) {
    j.search_path = j.base_path;
    return j.allow("builtin.session_setting");
  }
  const SettingClass cls = classify_setting(c.name);
  if (c.action == SettingAction::Reset || c.action == SettingAction::SetDefault) {
    // Back to the value the administrator configured: allowed for every parameter.
    if (cls == SettingClass::SearchPath) j.search_path = j.base_path;
    return j.allow("builtin.session_setting");
  }
  switch (cls) {
    case SettingClass::Harmless: return j.allow("builtin.session_setting");
    case SettingClass::SearchPath:
      j.search_path = split_path(c.value);
      return j.allow("builtin.session_setting");
    case SettingClass::ReadWrite:
      // Only a value PostgreSQL reads as true keeps read-only mode; anything else is judged
      // as leaving it.
      return judge_read_write(j, parse_bool(c.value) == 1, "SET " + c.name + " = " + c.value);
    case SettingClass::Identity:
      return j.deny("builtin.setting_denied",
                    "SET " + c.name + " changes who the session acts as");
    case SettingClass::Lexical:
      // Drivers re-state the encoding they already have (SET client_encoding TO 'utf-8');
      // any spelling PostgreSQL maps to UTF8 changes nothing. Two values ("utf, 8") make
      // PostgreSQL refuse the SET, so they cannot switch encodings either.
      if (c.name == "client_encoding" && is_utf8_encoding_name(c.value))
        return j.allow("builtin.session_setting");
      return j.deny("builtin.setting_denied",
                    "SET " + c.name + " changes how SQL text is read");
    case SettingClass::Other:
      return j.deny("builtin.setting_denied",
                    "SET " + c.name + " is not among the session settings an agent may change");
  }
}

}  // namespace

void judge_settings(Judge& j, const sql::StatementFacts& s) {
  for (const auto& c : s.settings) judge_change(j, c);
  if (s.transaction && s.transaction->read_only.has_value())
    judge_read_write(j, *s.transaction->read_only, s.command + " READ WRITE");
}

}  // namespace airlock::policy::detail
