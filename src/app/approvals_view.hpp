#pragma once
// How `airlock approvals` shows requests: a table, a detail view and JSON. The statement
// text comes from an agent, which is not trusted: everything printed to a terminal is made
// inert first (control characters and bidirectional overrides escaped), so a statement
// cannot hide what it does from the person approving it.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "state/store.hpp"

namespace airlock::app {

// Escapes C0/C1 controls, DEL and Unicode bidi/format controls as \xNN or \u{XXXX}. With
// keep_newlines, '\n' and '\t' stay as they are (the detail view prints SQL on its lines).
std::string terminal_safe(std::string_view text, bool keep_newlines);

// "45s", "12m", "3h", "2d": how long ago `then_ms` was (negative spans print as "0s").
std::string age_text(std::int64_t then_ms, std::int64_t now_ms);

std::string approvals_table(const std::vector<state::Approval>& approvals, std::int64_t now_ms);
std::string approval_details(const state::Approval& approval, std::int64_t now_ms);
nlohmann::ordered_json approval_json(const state::Approval& approval);

}  // namespace airlock::app
