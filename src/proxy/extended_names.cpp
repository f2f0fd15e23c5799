// Session: the names of the extended protocol (prepared statements and portals) as Airlock
// tracks them. What a statement may do (mask, guard, audit info) is attached to its name at
// Parse and to a portal at Bind; a name Airlock did not see parsed, or a name reused while the
// server still holds the old one, could run something undecided. Such messages are refused.
#include "protocol/frontend.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {
namespace {

// Beyond this many names a client is refused: the maps must stay bounded (PostgreSQL's own
// memory grows with them too).
constexpr std::size_t kMaxNames = 10'000;

Verdict name_refusal(const char* code, std::string message, std::string hint = {}) {
  return Verdict::deny(Error::make(code, "airlock: " + message), std::move(hint));
}

template <class Map>
void erase_name(Map& m, std::string_view name) {
  if (auto it = m.find(name); it != m.end()) m.erase(it);
}

}  // namespace

std::optional<Verdict> Session::check_extended_name(const protocol::Frame& f) {
  if (f.type == 'P') {
    auto p = protocol::parse_parse(f);
    if (!p || p->statement.empty()) return std::nullopt;
    if (statement_info_.contains(p->statement)) {
      // PostgreSQL would refuse it (42P05) and keep the old statement; Airlock refuses it
      // before it can replace what it knows about the name.
      return name_refusal("42P05", "prepared statement \"" + std::string(p->statement) +
                                       "\" already exists",
                          "Close it first, or use another name.");
    }
    if (statement_info_.size() >= kMaxNames) {
      return name_refusal("53400", "too many prepared statements in this session",
                          "Close statements you no longer use.");
    }
    return std::nullopt;
  }
  if (f.type == 'B') {
    auto b = protocol::parse_bind(f);
    if (!b) return std::nullopt;
    if (!extended_open_ && pending_syncs_ == 0 && txn_status_ == 'I') {
      // Nothing in flight and no transaction: every portal upstream is gone.
      portal_info_.clear();
      portal_masks_.clear();
      guarded_portals_.clear();
    }
    if (!statement_info_.contains(b->statement)) {
      return name_refusal("26000", "prepared statement \"" + std::string(b->statement) +
                                       "\" was not prepared through Airlock's checks (a Parse "
                                       "it saw succeed) [gateway.unknown_statement]",
                          "Send a Parse for it in this session; statements made with SQL "
                          "PREPARE run with EXECUTE.");
    }
    if (!b->portal.empty() && portal_info_.contains(b->portal)) {
      return name_refusal("42P03", "portal \"" + std::string(b->portal) + "\" already exists",
                          "Close it first, or use another name.");
    }
    if (portal_info_.size() >= kMaxNames) {
      return name_refusal("53400", "too many open portals in this session",
                          "Close portals you no longer use.");
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// A Parse the policy denied: PostgreSQL fails it before storing a named statement (the old one
// stays), but drops the unnamed statement first.
void Session::forget_denied_parse(const protocol::Frame& f) {
  auto p = protocol::parse_parse(f);
  if (!p || !p->statement.empty()) return;
  forget_unnamed();
}

void Session::forget_unnamed() {
  erase_name(statement_info_, "");
  erase_name(statement_masks_, "");
  erase_name(guarded_statements_, "");
  erase_name(portal_info_, "");
  erase_name(portal_masks_, "");
  erase_name(guarded_portals_, "");
}

void Session::forget_closed(const protocol::Frame& f) {
  auto t = protocol::parse_target(f);
  if (!t) return;
  if (t->kind == 'S') {
    erase_name(statement_info_, t->name);
    erase_name(statement_masks_, t->name);
    erase_name(guarded_statements_, t->name);
  } else {
    erase_name(portal_info_, t->name);
    erase_name(portal_masks_, t->name);
    erase_name(guarded_portals_, t->name);
  }
}

}  // namespace airlock::proxy
