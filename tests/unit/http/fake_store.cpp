#include "fake_store.hpp"

#include <algorithm>

namespace airlock::http::testing {

using state::Approval;
using state::ApprovalStatus;

namespace {
auto broken() { return fail(sqlstate::kInternalError, "database is locked"); }
}  // namespace

void FakeStore::add(Approval a) {
  std::lock_guard lock(mutex_);
  approvals_[a.id] = std::move(a);
}

Approval FakeStore::as_of(Approval a, std::int64_t now_ms) {
  if ((a.status == ApprovalStatus::Pending || a.status == ApprovalStatus::Approved) &&
      now_ms >= a.expires_ms) {
    a.status = ApprovalStatus::Expired;
  }
  return a;
}

Result<Approval> FakeStore::open_approval(const Approval& request, std::int64_t) {
  if (broken_) return broken();
  add(request);
  return request;
}

Result<std::optional<Approval>> FakeStore::get_approval(std::string_view id, std::int64_t now_ms) {
  if (broken_) return broken();
  std::lock_guard lock(mutex_);
  auto it = approvals_.find(id);
  if (it == approvals_.end()) return std::optional<Approval>{};
  return std::optional<Approval>(as_of(it->second, now_ms));
}

Result<std::vector<Approval>> FakeStore::list_approvals(const state::ApprovalFilter& filter,
                                                        std::int64_t now_ms) {
  if (broken_) return broken();
  std::lock_guard lock(mutex_);
  std::vector<Approval> out;
  for (const auto& [id, stored] : approvals_) {
    Approval a = as_of(stored, now_ms);
    if (filter.status && a.status != *filter.status) continue;
    if (!filter.agent.empty() && a.agent != filter.agent) continue;
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(),
            [](const Approval& x, const Approval& y) { return x.created_ms > y.created_ms; });
  if (filter.limit != 0 && out.size() > filter.limit) out.resize(filter.limit);
  return out;
}

Result<Approval> FakeStore::decide_approval(std::string_view id, bool approve, std::string_view by,
                                            std::string_view note, std::int64_t now_ms) {
  if (broken_) return broken();
  std::lock_guard lock(mutex_);
  auto it = approvals_.find(id);
  if (it == approvals_.end()) return fail(state::kNotFound, "no approval " + std::string(id));
  Approval now = as_of(it->second, now_ms);
  if (now.status == ApprovalStatus::Expired) {
    return fail(state::kWrongState, now.id + " expired");
  }
  if (now.status != ApprovalStatus::Pending) {
    return fail(state::kWrongState,
                now.id + " is already " + std::string(state::to_string(now.status)));
  }
  Approval& a = it->second;
  a.status = approve ? ApprovalStatus::Approved : ApprovalStatus::Denied;
  a.decided_by = std::string(by);
  a.note = std::string(note);
  a.decided_ms = now_ms;
  return a;
}

Result<std::optional<Approval>> FakeStore::consume_approval(std::string_view, std::string_view,
                                                            std::int64_t) {
  return std::optional<Approval>{};
}

Result<state::Charge> FakeStore::try_charge(std::string_view, std::string_view, std::int64_t,
                                            std::int64_t, std::int64_t, std::int64_t) {
  return state::Charge{};
}

Status FakeStore::refund(std::int64_t) { return {}; }

Result<std::int64_t> FakeStore::used(std::string_view, std::string_view, std::int64_t,
                                     std::int64_t) {
  return 0;
}

}  // namespace airlock::http::testing
