#include "proxy/name_effects.hpp"

#include <cctype>

namespace airlock::proxy {
namespace {

using sql::StatementKind;
using Kind = NameEffect::Kind;

bool names_object(StatementKind k) {
  switch (k) {
    case StatementKind::Prepare: case StatementKind::Execute: case StatementKind::Deallocate:
    case StatementKind::DeclareCursor: case StatementKind::Fetch: case StatementKind::ClosePortal:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool is_reserved_name(std::string_view name) {
  if (name.size() < kReservedPrefix.size()) return false;
  for (std::size_t i = 0; i < kReservedPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != kReservedPrefix[i]) return false;
  }
  return true;
}

std::optional<std::string> reserved_name_use(const sql::Analysis& analysis) {
  for (const auto& s : analysis.statements) {
    if ((names_object(s.kind) || names_object(s.inner_kind)) && is_reserved_name(s.object_name)) {
      return s.object_name;
    }
    if (s.transaction && is_reserved_name(s.transaction->name)) return s.transaction->name;
  }
  return std::nullopt;
}

std::shared_ptr<const NameEffects> name_effects(const sql::Analysis& analysis,
                                                const policy::Decision& d) {
  NameEffects out;
  for (std::size_t i = 0; i < analysis.statements.size(); ++i) {
    const auto& s = analysis.statements[i];
    const auto index = static_cast<std::uint32_t>(i);
    auto add = [&](Kind k, std::string name = {}) { out.push_back({k, index, std::move(name), {}}); };
    switch (s.kind) {
      case StatementKind::Prepare:
        out.push_back({Kind::Prepare, index, s.object_name,
                       std::make_shared<const policy::Decision>(policy::restamp(d, i, 0))});
        break;
      case StatementKind::Deallocate: add(Kind::Deallocate, s.object_name); break;
      case StatementKind::Discard: add(Kind::Discard); break;
      case StatementKind::DeclareCursor: add(Kind::Declare, s.object_name); break;
      case StatementKind::ClosePortal: add(Kind::CloseCursor, s.object_name); break;
      case StatementKind::Fetch: add(Kind::Fetch, s.object_name); break;
      case StatementKind::TransactionControl:
        if (s.transaction && (s.transaction->op == sql::TransactionOp::Commit ||
                              s.transaction->op == sql::TransactionOp::Rollback ||
                              s.transaction->op == sql::TransactionOp::PrepareTransaction)) {
          add(Kind::EndTransaction);
        }
        break;
      default:
        break;
    }
    // EXECUTE p, and the wrappers that run it (EXPLAIN ANALYZE EXECUTE, CREATE TABLE AS EXECUTE).
    if (s.kind == StatementKind::Execute || s.inner_kind == StatementKind::Execute) {
      add(Kind::Execute, s.object_name);
    }
  }
  if (out.empty()) return nullptr;
  return std::make_shared<const NameEffects>(std::move(out));
}

}  // namespace airlock::proxy
