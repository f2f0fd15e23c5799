#include "protocol/name_state.hpp"

namespace airlock::protocol {
namespace {

using Slot = NameState::Slot;
using State = NameState::State;

// What a name may hold after one of two histories: the same value, or anything.
Slot join(const Slot& a, const Slot& b) {
  if (a.state == b.state && a.value == b.value) return a;
  return Slot{State::Uncertain, nullptr, false};
}

std::size_t idx(NameState::Ns ns) { return static_cast<std::size_t>(ns); }

const std::vector<NameState::Effect>& query_start() {
  using E = NameState::Effect;
  static const std::vector<E> start{{E::Kind::Drop, NameState::Ns::Statement, "", nullptr, 0, false},
                                    {E::Kind::Unsure, NameState::Ns::Portal, "", nullptr, 0, false}};
  return start;
}

}  // namespace

NameState::Slot NameState::base(Ns ns, std::string_view name) const {
  const std::size_t i = idx(ns);
  if (auto it = inflight_[i].find(name); it != inflight_[i].end()) return it->second;
  if (auto it = confirmed_[i].find(name); it != confirmed_[i].end()) return it->second;
  return {};
}

NameState::Slot NameState::lookup(Ns ns, std::string_view name) const {
  if (lost_) return Slot{State::Uncertain, nullptr, false};
  const std::size_t i = idx(ns);
  if (auto it = cur_[i].find(name); it != cur_[i].end()) return it->second;
  return base(ns, name);
}

std::size_t NameState::size() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < 2; ++i) n += confirmed_[i].size() + inflight_[i].size() + cur_[i].size();
  return n;
}

// --- the view ---------------------------------------------------------------------------

// DropAll and DropTransient, as a Drop of each name the view holds.
void NameState::view_drop_many(const Effect& e) {
  const std::size_t i = idx(e.ns);
  std::vector<std::string> names;
  for (const Map* m : {&confirmed_[i], &inflight_[i], &cur_[i]}) {
    for (const auto& [name, slot] : *m) names.push_back(name);
  }
  for (const auto& name : names) {
    const Slot now = lookup(e.ns, name);
    if (now.state == State::Absent) continue;
    if (e.kind == Effect::Kind::DropTransient && !(now.state == State::Known && now.transient)) {
      continue;  // a cursor outlives COMMIT; an unknown portal may be one
    }
    view_effect({Effect::Kind::Drop, e.ns, name, nullptr, 0, false});
  }
}

void NameState::view_effect(const Effect& e) {
  if (e.kind == Effect::Kind::DropAll || e.kind == Effect::Kind::DropTransient) {
    view_drop_many(e);
    return;
  }
  const std::size_t i = idx(e.ns);
  auto u = cur_union_[i].find(e.name);
  if (u == cur_union_[i].end()) u = cur_union_[i].emplace(e.name, lookup(e.ns, e.name)).first;
  Slot now;
  if (e.kind == Effect::Kind::Set) now = Slot{State::Known, e.value, e.transient};
  if (e.kind == Effect::Kind::Unsure) now = Slot{State::Uncertain, nullptr, false};
  cur_[i].insert_or_assign(e.name, now);
  u->second = join(u->second, now);
}

// The batch is closed (Sync) or was a Query: any prefix of it may have run.
void NameState::view_fold() {
  for (std::size_t i = 0; i < 2; ++i) {
    for (auto& [name, slot] : cur_union_[i]) inflight_[i].insert_or_assign(name, slot);
    cur_union_[i].clear();
    cur_[i].clear();
  }
}

void NameState::view_apply(const Op& op) {
  if (op.type == 'Q') {
    for (const auto& e : query_start()) view_effect(e);
  }
  for (const auto& e : op.ok) view_effect(e);
  if (op.type == 'S' || op.type == 'Q') view_fold();
}

void NameState::rebuild_view() {
  for (std::size_t i = 0; i < 2; ++i) {
    inflight_[i].clear();
    cur_[i].clear();
    cur_union_[i].clear();
  }
  for (const auto& op : pending_) view_apply(op);
}

// --- client messages ----------------------------------------------------------------------

void NameState::push(Op op) {
  view_apply(op);
  // The server discards what follows a failed message up to Sync: nothing to wait for.
  const bool ends_batch = op.type == 'S' || op.type == 'Q';
  if (skipping_ && syncs_pending_ == 0 && !ends_batch) return;
  if (ends_batch) ++syncs_pending_;
  pending_.push_back(std::move(op));
}

void NameState::parse(std::string_view name, Value v) {
  Op op{'P', {}};
  if (v) op.ok.push_back({Effect::Kind::Set, Ns::Statement, std::string(name), std::move(v), 0, false});
  push(std::move(op));
}

void NameState::bind(std::string_view portal, Value v) {
  Op op{'B', {}};
  if (v) op.ok.push_back({Effect::Kind::Set, Ns::Portal, std::string(portal), std::move(v), 0, true});
  push(std::move(op));
}

void NameState::describe(Value subject) { push(Op{'D', {}, std::move(subject)}); }

void NameState::close(Ns ns, std::string_view name) {
  push(Op{'C', {{Effect::Kind::Drop, ns, std::string(name), nullptr, 0, false}}});
}

void NameState::execute(std::vector<Effect> effects) { push(Op{'E', std::move(effects)}); }

void NameState::sync() { push(Op{'S', {}}); }

void NameState::query(std::vector<Effect> effects) { push(Op{'Q', std::move(effects)}); }

// --- answers --------------------------------------------------------------------------------

void NameState::confirm(const Effect& e) {
  Map& m = confirmed_[idx(e.ns)];
  switch (e.kind) {
    case Effect::Kind::Set:
      m.insert_or_assign(e.name, Slot{State::Known, e.value, e.transient});
      return;
    case Effect::Kind::Drop:
      if (auto it = m.find(e.name); it != m.end()) m.erase(it);
      return;
    case Effect::Kind::DropAll:
      m.clear();
      return;
    case Effect::Kind::DropTransient:
      std::erase_if(m, [](const auto& kv) { return kv.second.transient; });
      return;
    case Effect::Kind::Unsure:
      m.insert_or_assign(e.name, Slot{State::Uncertain, nullptr, false});
      return;
  }
}

std::string NameState::pending_types() const {
  std::string out;
  for (const auto& op : pending_) out.push_back(op.type);
  return out;
}

bool NameState::lose() {
  lost_pending_ = pending_types();
  lost_ = true;
  return false;
}

bool NameState::answer(char type, char status) {
  if (lost_) return false;
  if (!pending_.empty() && pending_.front().type == 'Q' && !query_started_) {
    // The server is at this Query now: what it does first, however it ends.
    for (const auto& e : query_start()) confirm(e);
    query_started_ = true;
  }
  auto expect = [&](char op_type) {
    if (pending_.empty() || pending_.front().type != op_type) return lose();
    for (const auto& e : pending_.front().ok) confirm(e);
    pending_.pop_front();
    return true;
  };
  switch (type) {
    case '1': return expect('P');
    case '2': return expect('B');
    case '3': return expect('C');
    case 't':
      return !pending_.empty() && pending_.front().type == 'D' ? true : lose();
    case 'T':
    case 'n':
      if (!pending_.empty() && pending_.front().type == 'D') return expect('D');
      // A Query's (or a guarded Query's) RowDescription.
      return type == 'T' && !pending_.empty() && pending_.front().type == 'Q' ? true : lose();
    case 'C':
    case 'I':
    case 's':
      if (pending_.empty()) return lose();
      if (pending_.front().type == 'Q') {
        if (type == 's') return lose();
        if (!query_failed_) {
          for (const auto& e : pending_.front().ok) {
            if (e.statement == query_done_) confirm(e);
          }
          ++query_done_;
        }
        return true;
      }
      return expect('E');
    case 'E': {
      if (pending_.empty()) return lose();
      Op& head = pending_.front();
      if (head.type == 'Q') {
        query_failed_ = true;
        return true;
      }
      if (head.type == 'S') return true;  // the Sync's commit failed; its 'Z' follows
      pending_.pop_front();               // failed: its effects never happen
      while (!pending_.empty() && pending_.front().type != 'S') pending_.pop_front();
      skipping_ = true;
      return true;
    }
    case 'Z':
      if (pending_.empty() || (pending_.front().type != 'S' && pending_.front().type != 'Q')) {
        return lose();
      }
      pending_.pop_front();
      --syncs_pending_;
      skipping_ = false;
      query_failed_ = false;
      query_started_ = false;
      query_done_ = 0;
      // Outside a transaction block no portal made by Bind is left (cursors WITH HOLD are).
      if (status == 'I') confirm({Effect::Kind::DropTransient, Ns::Portal, {}, nullptr, 0, false});
      rebuild_view();
      return true;
    default:
      return true;
  }
}

}  // namespace airlock::protocol
