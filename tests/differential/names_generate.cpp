// The random client: mostly well-formed use of the names the model knows (as a driver would),
// with enough misuse (unknown names, errors mid-batch, reused names, pipelined batches,
// transaction control) to reach every rule of protocol::NameState.
#include <string>
#include <vector>

#include "names_run.hpp"

namespace airlock::differential {
namespace {

using protocol::NameState;

const std::vector<std::string> kStatements = {"", "a", "b"};
const std::vector<std::string> kPortals = {"", "p", "q"};

const std::string& any(Rng& r, const std::vector<std::string>& names) {
  return names[r.below(static_cast<std::uint32_t>(names.size()))];
}

bool usable_value(NameState::Ns ns, const NameState::Slot& slot, bool sql_prepared) {
  if (slot.state != NameState::State::Known) return false;
  const auto* j = static_cast<const Judged*>(slot.value.get());
  if (ns == NameState::Ns::Portal && j->cursor) return false;
  return !sql_prepared || j->sql_prepared;
}

// The names the model calls Known (and runnable), in `names`.
std::vector<std::string> known(const NameState& m, NameState::Ns ns,
                               const std::vector<std::string>& names, bool sql_prepared = false) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    if (usable_value(ns, m.lookup(ns, n), sql_prepared)) out.push_back(n);
  }
  return out;
}

// A known name most of the time; any name otherwise.
std::string usable(Rng& r, const std::vector<std::string>& known_names,
                   const std::vector<std::string>& names) {
  if (!known_names.empty() && r.chance(85)) return any(r, known_names);
  return any(r, names);
}

}  // namespace

Op generate_op(Rng& r, const NameState& m, const Op* last, bool batch_open, int syncs_due,
               bool basic) {
  using Ns = NameState::Ns;
  Op op;
  if (syncs_due >= 4 || (syncs_due > 0 && r.chance(40))) {
    op.kind = OpKind::Drain;
    return op;
  }
  // As drivers do: Parse then Bind then Execute, most of the time.
  std::size_t kind = 0;
  if (last != nullptr && last->kind == OpKind::Bind && r.chance(65)) {
    kind = 2;
  } else if (last != nullptr && last->kind == OpKind::Parse && r.chance(50)) {
    kind = 1;
  } else {
    //                                 P   B   E   D  C  H  S   Q
    static const std::uint32_t kOps[] = {22, 18, 18, 4, 6, 3, 12, 20};
    kind = r.pick(kOps);
  }
  const auto statements = known(m, Ns::Statement, kStatements);
  const auto portals = known(m, Ns::Portal, kPortals);
  if (kind == 2 && portals.empty() && r.chance(70)) kind = 1;
  if (kind == 1 && statements.empty() && r.chance(70)) kind = 0;
  switch (kind) {
    case 0: {
      op.kind = OpKind::Parse;
      op.name = any(r, kStatements);
      //                                      sel div fail err sp rb begin commit
      static const std::uint32_t kFull[] = {12, 1, 2, 1, 1, 1, 1, 1};
      static const std::uint32_t kBasic[] = {12, 2, 0, 1, 0, 0, 0, 0};
      op.text = static_cast<Text>(basic ? r.pick(kBasic) : r.pick(kFull));
      return op;
    }
    case 1:
      op.kind = OpKind::Bind;
      op.name = any(r, kPortals);
      op.stmt = usable(r, statements, kStatements);
      return op;
    case 2:
      op.kind = OpKind::Execute;
      op.name = last != nullptr && last->kind == OpKind::Bind && r.chance(90)
                    ? last->name
                    : usable(r, portals, kPortals);
      op.max_rows = r.chance(25) ? 1 : 0;
      return op;
    case 3:
    case 4:
      op.kind = r.chance(40) ? OpKind::Describe : OpKind::Close;
      op.target = r.chance(50) ? 'S' : 'P';
      op.name = any(r, op.target == 'S' ? kStatements : kPortals);
      return op;
    case 5:
      op.kind = OpKind::Flush;
      return op;
    case 6:
      op.kind = OpKind::Sync;
      return op;
    default:
      break;
  }
  // The gateway never forwards a Query inside an unfinished extended batch: end it first.
  if (batch_open) {
    op.kind = OpKind::Sync;
    return op;
  }
  op.kind = OpKind::Query;
  // prepare dealloc dealloc_all exec begin commit rollback savepoint rollback_to div discard
  // declare close empty err
  static const std::uint32_t kFull[] = {8, 2, 1, 8, 4, 2, 2, 3, 3, 1, 1, 3, 1, 3, 2};
  static const std::uint32_t kBasic[] = {8, 2, 1, 8, 4, 2, 2, 3, 3, 1, 1, 3, 1, 0, 0};
  op.sql = static_cast<Sql>(basic ? r.pick(kBasic) : r.pick(kFull));
  const auto prepared = known(m, Ns::Statement, {"a", "b"}, true);
  if (op.sql == Sql::Exec && prepared.empty() && r.chance(70)) op.sql = Sql::Prepare;
  switch (op.sql) {
    case Sql::Prepare: {
      std::vector<std::string> free;
      for (const char* n : {"a", "b"}) {
        if (m.lookup(Ns::Statement, n).state == NameState::State::Absent) free.push_back(n);
      }
      op.name = usable(r, free, {"a", "b"});
      break;
    }
    case Sql::Dealloc:
      op.name = r.chance(70) ? "a" : "b";
      break;
    case Sql::Exec:
      op.name = usable(r, prepared, {"a", "b"});
      break;
    case Sql::Declare:
    case Sql::CloseCursor:
      op.name = r.chance(70) ? "p" : "q";
      break;
    default:
      break;
  }
  return op;
}

}  // namespace airlock::differential
