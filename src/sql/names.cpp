#include "sql/names.hpp"

#include <array>

namespace airlock::sql {
namespace {

template <std::size_t N, class E>
std::string_view pick(const std::array<std::string_view, N>& names, E e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : std::string_view("?");
}

}  // namespace

std::string_view to_string(StatementKind k) noexcept {
  static constexpr std::array<std::string_view, 34> kNames = {
      "select", "insert", "update", "delete", "merge", "ddl", "copy", "transaction_control",
      "set", "reset", "show", "discard", "listen", "notify", "unlisten", "prepare", "execute",
      "deallocate", "declare_cursor", "fetch", "close_portal", "explain", "lock", "truncate",
      "call", "do", "vacuum", "analyze", "grant", "checkpoint", "load", "refresh_matview",
      "two_phase", "unsupported"};
  static_assert(kNames.size() == static_cast<std::size_t>(StatementKind::Unsupported) + 1);
  return pick(kNames, k);
}

std::string_view to_string(AccessMode m) noexcept {
  static constexpr std::array<std::string_view, 8> kNames = {
      "read", "insert", "update", "delete", "truncate", "ddl", "lock", "copy"};
  return pick(kNames, m);
}

std::string_view to_string(FunctionSite s) noexcept {
  static constexpr std::array<std::string_view, 4> kNames = {"expression", "from", "ddl", "call"};
  return pick(kNames, s);
}

std::string_view to_string(TransactionOp op) noexcept {
  static constexpr std::array<std::string_view, 10> kNames = {
      "begin", "start", "commit", "rollback", "savepoint", "release", "rollback_to",
      "prepare_transaction", "commit_prepared", "rollback_prepared"};
  return pick(kNames, op);
}

std::string_view to_string(Outcome o) noexcept {
  static constexpr std::array<std::string_view, 6> kNames = {
      "ok", "unsupported", "parse_error", "too_large", "too_deep", "invalid_utf8"};
  return pick(kNames, o);
}

}  // namespace airlock::sql
