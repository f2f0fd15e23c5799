// Session: the names of prepared statements and portals. What Airlock judged for a name is
// kept in names_ (protocol/name_state.hpp), which changes only as the server confirms; a
// client may Bind or Execute only a name whose value is known for sure, so a Parse, Close,
// PREPARE or DEALLOCATE that the server skipped or refused can never make a name run what
// Airlock did not judge. Names starting with airlock_ are Airlock's own and refused.
#include <spdlog/spdlog.h>

#include "protocol/frontend.hpp"
#include "protocol/rows.hpp"
#include "proxy/name_effects.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {
namespace {

using protocol::NameState;

// Beyond this many names a client is refused: the maps must stay bounded (PostgreSQL's own
// memory grows with them too).
constexpr std::size_t kMaxNames = 10'000;

Verdict name_refusal(const char* code, std::string message, std::string hint = {}) {
  return Verdict::deny(Error::make(code, "airlock: " + message), std::move(hint));
}

Verdict reserved(std::string_view name) {
  return name_refusal("42939", "the name \"" + std::string(name) +
                                   "\" is reserved for Airlock's own statements and portals "
                                   "[gateway.reserved_name]",
                      "Use a name that does not start with airlock_.");
}

Verdict too_many() {
  return name_refusal("53400", "too many prepared statements and portals in this session",
                      "Close statements and portals you no longer use.");
}

template <class T>
std::shared_ptr<const T> known(const NameState::Slot& s) {
  if (s.state != NameState::State::Known) return nullptr;
  return std::static_pointer_cast<const T>(s.value);
}

}  // namespace

std::shared_ptr<const Described> Described::copy(const protocol::Frame& f) {
  auto d = std::make_shared<Described>();
  d->body.assign(f.body);
  protocol::Frame own = f;
  own.body = d->body;
  auto fields = protocol::parse_row_description(own);
  if (!fields) return nullptr;
  d->fields = std::move(*fields);
  return d;
}

std::optional<Verdict> Session::on_parse(const protocol::Frame& f, const Verdict* v) {
  auto p = protocol::parse_parse(f);
  if (!p) {
    names_.parse({}, nullptr);
    return std::nullopt;
  }
  std::optional<Verdict> refused;
  if (is_reserved_name(p->statement)) refused = reserved(p->statement);
  else if (names_.size() >= kMaxNames) refused = too_many();
  else if (v && v->forward) refused = check_uses(v->effects.get());
  if (refused || !v || !v->forward) {  // (v null or refused: the caller refuses it)
    names_.parse(p->statement, nullptr);  // it fails: the old statement stays (or "" goes)
    return refused;
  }
  auto s = std::make_shared<PreparedStatement>();
  s->info = v->info;
  s->mask = v->mask;
  s->guard = v->guard;
  s->hold = v->hold;
  s->effects = v->effects;
  if (v->guard || v->hold) {
    s->sql.assign(p->query);
    s->param_types.assign(p->param_types);
  }
  if (v->effects) {
    for (const auto& e : *v->effects) {
      if (e.kind == NameEffect::Kind::Execute) {
        s->uses.emplace_back(e.name, names_.lookup(NameState::Ns::Statement, e.name).value);
      }
    }
  }
  names_.parse(p->statement, std::move(s));
  return std::nullopt;
}

std::optional<Verdict> Session::on_bind(const protocol::Frame& f) {
  auto b = protocol::parse_bind(f);
  if (!b) {
    names_.bind({}, nullptr);
    return name_refusal(sqlstate::kProtocolViolation, "malformed Bind message");
  }
  std::optional<Verdict> refused;
  const auto slot = names_.lookup(NameState::Ns::Statement, b->statement);
  auto stmt = known<PreparedStatement>(slot);
  if (is_reserved_name(b->statement)) {
    refused = reserved(b->statement);
  } else if (is_reserved_name(b->portal)) {
    refused = reserved(b->portal);
  } else if (names_.size() >= kMaxNames) {
    refused = too_many();
  } else if (slot.state == NameState::State::Uncertain) {
    refused = name_refusal(
        "26000", "prepared statement \"" + std::string(b->statement) +
                     "\" may hold another statement than the one Airlock checked: a message "
                     "that changed it was skipped or refused by the server "
                     "[gateway.unknown_statement]",
        "Close it and Parse it again.");
  } else if (!stmt || !stmt->info) {
    refused = name_refusal("26000", "prepared statement \"" + std::string(b->statement) +
                                        "\" was not prepared through Airlock's checks (a Parse "
                                        "it saw succeed) [gateway.unknown_statement]",
                           "Send a Parse for it in this session; statements made with SQL "
                           "PREPARE run with EXECUTE.");
  }
  if (refused) {
    names_.bind(b->portal, nullptr);
    return refused;
  }
  auto portal = std::make_shared<BoundPortal>();
  if (stmt->mask) {
    // Unreadable format codes: mask as binary, which yields NULL for non-text.
    auto formats = bind_result_formats(b->rest);
    portal->formats = formats ? *formats : std::vector<std::int16_t>{1};
  }
  if (stmt->guard || stmt->hold) portal->bind_rest.assign(b->rest);
  portal->statement = std::move(stmt);
  names_.bind(b->portal, std::move(portal));
  return std::nullopt;
}

std::optional<Verdict> Session::on_describe_close(const protocol::Frame& f) {
  auto t = protocol::parse_target(f);
  const auto ns = t && t->kind == 'P' ? NameState::Ns::Portal : NameState::Ns::Statement;
  if (f.type == 'C') {
    names_.close(ns, t ? t->name : std::string_view{});
  } else {
    // A masked statement's shape, for its Executes in later batches.
    std::shared_ptr<const PreparedStatement> subject;
    if (t && ns == NameState::Ns::Statement) {
      subject = known<PreparedStatement>(names_.lookup(ns, t->name));
    } else if (t) {
      if (auto p = known<BoundPortal>(names_.lookup(ns, t->name))) subject = p->statement;
    }
    names_.describe(subject && subject->mask ? subject : nullptr);
  }
  if (!t) return name_refusal(sqlstate::kProtocolViolation, "malformed Describe or Close message");
  if (is_reserved_name(t->name)) return reserved(t->name);
  return std::nullopt;
}

std::optional<Verdict> Session::check_execute(const protocol::Frame& f,
                                              std::shared_ptr<const BoundPortal>& portal) {
  auto e = protocol::parse_execute(f);
  if (!e) return name_refusal(sqlstate::kProtocolViolation, "malformed Execute message");
  if (is_reserved_name(e->portal)) return reserved(e->portal);
  const auto slot = names_.lookup(NameState::Ns::Portal, e->portal);
  portal = known<BoundPortal>(slot);
  if (!portal || !portal->statement) {
    portal.reset();
    return name_refusal("34000", "portal \"" + std::string(e->portal) +
                                     "\" was not bound through Airlock's checks, or may hold "
                                     "another statement [gateway.unknown_statement]",
                        "Bind it in this session first.");
  }
  for (const auto& [name, value] : portal->statement->uses) {
    const auto now = names_.lookup(NameState::Ns::Statement, name);
    if (now.state != NameState::State::Known || now.value != value) {
      portal.reset();
      return name_refusal("26000", "EXECUTE " + name + " was checked against the statement "
                                       "prepared under that name when it was parsed, which "
                                       "has changed since [gateway.unknown_statement]",
                          "Parse the statement again.");
    }
  }
  return check_uses(portal->statement->effects.get());
}

void Session::note_execute(const BoundPortal* portal) {
  names_.execute(portal && portal->statement ? effects_for(portal->statement->effects.get())
                                             : std::vector<NameState::Effect>{});
}

void Session::note_query(const Verdict* v) {
  names_.query(v && v->forward ? effects_for(v->effects.get()) : std::vector<NameState::Effect>{});
}

// The names a statement runs or reads, checked against what the server is known to hold now.
std::optional<Verdict> Session::check_uses(const NameEffects* effects) {
  if (!effects) return std::nullopt;
  for (const auto& e : *effects) {
    if (e.kind == NameEffect::Kind::Fetch) {
      const auto slot = names_.lookup(NameState::Ns::Portal, e.name);
      auto p = known<BoundPortal>(slot);
      if (slot.state == NameState::State::Uncertain || (p && p->statement)) {
        // A portal made by Bind runs its statement when fetched: its guard, masks and audit
        // belong to Execute.
        return name_refusal("34000", "FETCH and MOVE read cursors made by DECLARE; \"" + e.name +
                                         "\" is a protocol portal [gateway.unknown_statement]",
                            "Run the portal with Execute.");
      }
    }
  }
  return std::nullopt;
}

// SQL-level effects as changes to names_: applied only when the server confirms them.
std::vector<NameState::Effect> Session::effects_for(const NameEffects* effects) {
  std::vector<NameState::Effect> out;
  if (!effects) return out;
  using K = NameState::Effect::Kind;
  using Ns = NameState::Ns;
  for (const auto& e : *effects) {
    switch (e.kind) {
      case NameEffect::Kind::Prepare: {
        auto s = std::make_shared<PreparedStatement>();
        s->sql_decision = e.decision;
        out.push_back({K::Set, Ns::Statement, e.name, std::move(s), e.statement});
        break;
      }
      case NameEffect::Kind::Deallocate:
        out.push_back({e.name.empty() ? K::DropAll : K::Drop, Ns::Statement, e.name, nullptr,
                       e.statement});
        break;
      case NameEffect::Kind::Discard:
        out.push_back({K::DropAll, Ns::Statement, {}, nullptr, e.statement});
        out.push_back({K::DropAll, Ns::Portal, {}, nullptr, e.statement});
        break;
      case NameEffect::Kind::Declare:
        out.push_back({K::Set, Ns::Portal, e.name, std::make_shared<BoundPortal>(), e.statement});
        break;
      case NameEffect::Kind::CloseCursor:
        out.push_back({e.name.empty() ? K::DropAll : K::Drop, Ns::Portal, e.name, nullptr,
                       e.statement});
        break;
      case NameEffect::Kind::EndTransaction:
        out.push_back({K::DropTransient, Ns::Portal, {}, nullptr, e.statement});
        break;
      case NameEffect::Kind::Execute:
      case NameEffect::Kind::Fetch:
        break;
    }
  }
  return out;
}

void Session::names_answer(const protocol::Frame& f, char status) {
  // Whether the client has a transaction block of its own, from what it was answered: the
  // row guard must never take the client's block for Airlock's (a client may silence the
  // 25001 warning the guard also looks for with client_min_messages).
  if (f.type == 'Z') {
    client_block_ = status == 'T' || status == 'E';
  } else if (f.type == 'C') {
    if (auto tag = protocol::parse_command_complete(f)) {
      if (*tag == "BEGIN" || *tag == "START TRANSACTION") client_block_ = true;
      if (*tag == "COMMIT" || *tag == "ROLLBACK" || *tag == "PREPARE TRANSACTION") {
        client_block_ = false;
      }
    }
  }
  if (names_.lost()) return;
  if (f.type == 'T') {
    if (auto subject = names_.describing()) {
      static_cast<const PreparedStatement*>(subject.get())->described = Described::copy(f);
    }
  }
  if (!names_.answer(f.type, status)) {
    spdlog::error("agent={} session={}: an answer of type '{}' fits no message in flight "
                  "(awaiting \"{}\"); every prepared statement and portal of the session is "
                  "refused from now on", agent_, session_id_, f.type, names_.lost_pending());
  }
}

}  // namespace airlock::proxy
