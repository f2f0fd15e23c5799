#include "proxy/row_guard.hpp"

#include <algorithm>
#include <charconv>

#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"
#include "protocol/rows.hpp"

namespace airlock::proxy {
namespace {

constexpr std::string_view kCountSql =
    "SELECT schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del "
    "FROM pg_catalog.pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0";

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::uint64_t> changed_rows_in_tag(std::string_view tag) {
  for (std::string_view verb : {"INSERT ", "UPDATE ", "DELETE ", "MERGE ", "COPY "}) {
    if (tag.starts_with(verb)) return protocol::command_tag_rows(tag);
  }
  return std::nullopt;
}

RowGuard::RowGuard(Options options, Statement statement)
    : opt_(std::move(options)), stmt_(std::move(statement)), ours_(opt_.block_is_ours) {}

// One injected command: Close (so the name is free), Parse, Bind, Execute. Answers:
// CloseComplete ×2, ParseComplete, BindComplete, rows, CommandComplete.
void RowGuard::inject(std::string& up, std::string_view sql, Step step) {
  protocol::append_close(up, 'S', opt_.name);
  protocol::append_close(up, 'P', opt_.name);
  protocol::append_parse(up, opt_.name, sql);
  protocol::append_bind(up, opt_.name, opt_.name);
  protocol::append_execute(up, opt_.name);
  steps_.push_back(step);
}

// Airlock's names are left holding nothing once the guard is done: answered by Step::Closes.
void RowGuard::close_names(std::string& up) {
  protocol::append_close(up, 'P', opt_.name);
  protocol::append_close(up, 'S', opt_.name);
  steps_.push_back(Step::Closes);
  closes_seen_ = 0;
}

void RowGuard::start(std::string& up) {
  for (int i = 0; i < opt_.prefix_responses; ++i) steps_.push_back(Step::Prefix);
  run_statement(up);
}

void RowGuard::run_statement(std::string& up) {
  // PostgreSQL 15 keeps counts of earlier transactions in pg_stat_xact_* until it reports
  // them (at most once a second, when idle), so a new transaction needs a first read too.
  if (!stmt_.simple) {
    // Anywhere in an extended batch: BEGIN turns the batch's implicit transaction into a
    // block (or warns 25001 inside the client's own), then a savepoint holds the write. The
    // block is committed with the client's Sync (commit_at_sync), as the batch would be.
    if (!opened_) {
      inject(up, "BEGIN", Step::Begin);  // its CommandComplete without 25001: ours_
      opened_ = true;
    }
    inject(up, std::string("SAVEPOINT ") + opt_.savepoint, Step::Quiet);
  } else if (opt_.in_transaction) {
    inject(up, std::string("SAVEPOINT ") + opt_.savepoint, Step::Quiet);
  } else {
    inject(up, "BEGIN", Step::Quiet);
    began_ = true;
  }
  inject(up, kCountSql, Step::CountBefore);
  open_ = true;
  // The statement itself, re-issued under Airlock's names with the client's parameters and
  // result formats. A Query is answered with a RowDescription, so it gets a Describe.
  protocol::append_close(up, 'S', opt_.name);
  protocol::append_close(up, 'P', opt_.name);
  protocol::append_parse(up, opt_.name, stmt_.sql, stmt_.param_types);
  protocol::append_bind(up, opt_.name, opt_.name, stmt_.bind_rest);
  if (stmt_.simple) protocol::append_describe(up, 'P', opt_.name);
  protocol::append_execute(up, opt_.name);
  steps_.push_back(Step::Statement);
  inject(up, kCountSql, Step::CountAfter);
  protocol::append_flush(up);
  state_ = State::Running;
  before_.clear();
  after_.clear();
  held_tag_.clear();
  tag_rows_.reset();
}

void RowGuard::on_frame(const protocol::Frame& f, std::string_view raw, std::string& to_client,
                        std::string& up) {
  passed_ready_ = false;
  if (f.type == 'N' && !steps_.empty() && steps_.front() == Step::Begin) {
    auto e = protocol::parse_error(f);
    if (e && e->sqlstate == "25001") {  // "there is already a transaction in progress"
      begin_warned_ = true;
      return;
    }
  }
  if (f.type == 'N' || f.type == 'A') {
    to_client.append(raw);  // notices and notifications belong to the client, whatever ran
    return;
  }
  if (steps_.empty()) {
    to_client.append(raw);  // not ours (cannot happen while the session routes correctly)
    return;
  }
  const Step step = steps_.front();
  if (f.type == 'E' && step != Step::SwallowReady && step != Step::Ready &&
      step != Step::CommitQuery) {
    on_error(f, raw, step, to_client, up);
    return;
  }
  switch (step) {
    case Step::Prefix:
      to_client.append(raw);
      // ParameterDescription is followed by the RowDescription/NoData of the same Describe.
      if (f.type != 't') pop(to_client);
      return;
    case Step::Begin:
      // Without the warning, this BEGIN opened the block (the batch's implicit transaction
      // became it). Until then, and if BEGIN failed, the block is whoever's it was before.
      if (f.type == 'C') {
        if (!begin_warned_ && !opt_.client_block) ours_ = true;
        pop(to_client);
      }
      return;
    case Step::Quiet:
    case Step::RollbackQuery:
      if (f.type == 'C') pop(to_client);
      return;
    case Step::CommitQuery:
      if (f.type == 'E') to_client.append(raw);  // e.g. a deferred constraint: the client's
      if (f.type == 'C' || f.type == 'E') pop(to_client);
      return;
    case Step::Commit:
      if (f.type == 'C') {
        committed_ = true;
        pop(to_client);
      }
      return;
    case Step::CountBefore:
    case Step::CountAfter:
      if (f.type == 'D') read_count_row(f, step);
      if (f.type == 'C') {
        pop(to_client);
        if (step == Step::CountAfter) {
          compute_rows();
          state_ = State::Decide;
        }
      }
      return;
    case Step::Statement:
      switch (f.type) {
        case '3': case '1': case '2': case 'n':
          return;  // answers to Airlock's own Close/Parse/Bind/Describe
        case 'C':
        case 's':
          held_tag_.assign(raw);
          if (f.type == 'C') {
            if (auto tag = protocol::parse_command_complete(f)) tag_rows_ = changed_rows_in_tag(*tag);
          }
          pop(to_client);
          return;
        case 'I':  // empty query: nothing ran
          to_client.append(raw);
          pop(to_client);
          return;
        default:
          to_client.append(raw);  // RowDescription, DataRow (RETURNING), notices
          return;
      }
    case Step::Marker:
      return;  // only its ErrorResponse is expected (handled above)
    case Step::Ready:
      if (f.type == 'Z') {
        to_client.append(raw);
        passed_ready_ = true;
        pop(to_client);
      } else {
        to_client.append(raw);
      }
      return;
    case Step::SwallowReady:
      if (f.type == 'Z') pop(to_client);
      return;
    case Step::EmitTag:
      return;
    case Step::Closes:
      if (f.type == '3' && ++closes_seen_ == 2) pop(to_client);
      return;
  }
}

void RowGuard::pop(std::string& to_client) {
  steps_.pop_front();
  while (!steps_.empty() && steps_.front() == Step::EmitTag) {
    to_client.append(held_tag_);
    steps_.pop_front();
  }
  if (steps_.empty() && state_ == State::Running) {
    if (undoing_) {
      undoing_ = false;
      state_ = State::Undone;
    } else {
      state_ = failed_ && !stmt_.simple ? State::AwaitClientSync : State::Done;
    }
  }
}

// An error. PostgreSQL now skips everything up to the next Sync, so nothing queued behind
// this step will be answered.
void RowGuard::on_error(const protocol::Frame& f, std::string_view raw, Step step,
                        std::string& to_client, std::string& up) {
  if (step == Step::RollbackQuery) {
    // A Query's error skips nothing: its ReadyForQuery, then the Close of Airlock's names and
    // the Sync already sent are answered as queued, and the last ReadyForQuery is the client's
    // (its status shows the block still aborted). Queuing them again would leave answers over.
    append_guard_error(f, to_client);
    steps_.pop_front();
    return;
  }
  // A Sync (or Query) already sent, as after a Query's COMMIT, brings the one ReadyForQuery
  // the client is owed: finish() must not send another.
  const bool ready_due = std::find(steps_.begin(), steps_.end(), Step::Ready) != steps_.end();
  steps_.clear();
  failed_ = true;
  switch (step) {
    case Step::Prefix:
      // The client's own batch failed before the guarded statement: nothing of Airlock's ran.
      to_client.append(raw);
      began_ = false;
      break;
    case Step::Statement:
      to_client.append(raw);  // the statement's own error, as PostgreSQL said it
      break;
    case Step::Marker: {
      protocol::append_error(to_client, {.severity = "ERROR", .sqlstate = error_.sqlstate,
                                         .message = error_.message, .hint = hint_});
      break;
    }
    case Step::Commit:
      // COMMIT or RELEASE failed (e.g. a deferred constraint): the server's own error. A
      // failed COMMIT ends the block; a failed RELEASE leaves the client's block aborted.
      to_client.append(raw);
      began_ = false;
      break;
    default:
      append_guard_error(f, to_client);
      break;
  }
  // The error aborted the whole block: Airlock's own is rolled back after the Sync.
  rollback_block_ = stmt_.simple ? began_ : ours_;
  began_ = false;
  open_ = false;
  undoing_ = false;
  if (ready_due) {
    // The Sync already sent ends the skipping; then Airlock's names are closed, and the
    // ReadyForQuery after that is the client's.
    steps_.push_back(Step::SwallowReady);
    close_names(up);
    protocol::append_sync(up);
    steps_.push_back(Step::Ready);
    failed_ = false;  // this cleanup is queued: its ReadyForQuery gives the client the turn
    state_ = State::Running;
    return;
  }
  finish(up);
}

// The guard's own error for a failure of one of Airlock's commands.
void RowGuard::append_guard_error(const protocol::Frame& f, std::string& to_client) const {
  auto e = protocol::parse_error(f);
  std::string why = e ? std::string(e->message) : std::string("unknown error");
  if (why.find(opt_.marker) != std::string::npos || why.find(opt_.name) != std::string::npos ||
      why.find(opt_.savepoint) != std::string::npos) {
    why = "an internal statement failed";  // never quote Airlock's own names
  }
  const std::string msg = "airlock: the row guard could not run (" + why +
                          "); the statement did not take effect [gateway.row_guard]";
  protocol::append_error(to_client, {.severity = "ERROR", .sqlstate = sqlstate::kInternalError,
                                     .message = msg});
}

// The outcome has been sent: a Query gets its ReadyForQuery now; an Execute waits for the
// client's own Sync (and, if Airlock's block failed, its rollback follows that Sync).
void RowGuard::finish(std::string& up) {
  if (stmt_.simple) {
    protocol::append_sync(up);
    cleanup_after_sync(up);
  } else {
    state_ = failed_ ? State::AwaitClientSync : State::Done;
  }
}

// After a Sync that ends an error's skipping: Airlock's failed block is rolled back, its
// names closed, and the last ReadyForQuery is the client's.
void RowGuard::cleanup_after_sync(std::string& up) {
  steps_.push_back(Step::SwallowReady);
  if (rollback_block_) {
    protocol::append_query(up, "ROLLBACK");
    steps_.push_back(Step::RollbackQuery);
    steps_.push_back(Step::SwallowReady);
  }
  close_names(up);
  protocol::append_sync(up);
  steps_.push_back(Step::Ready);
  rollback_block_ = false;
  failed_ = false;
  state_ = State::Running;
}

void RowGuard::after_client_sync(std::string& up) {
  if (state_ != State::AwaitClientSync) return;
  ours_ = false;  // rolled back here, if it was Airlock's
  cleanup_after_sync(up);
}

void RowGuard::commit_at_sync(std::string& up) {
  steps_.push_back(Step::SwallowReady);  // the client's Sync: 'T', or 'E' if the batch failed
  protocol::append_query(up, "COMMIT");
  steps_.push_back(Step::CommitQuery);
  steps_.push_back(Step::Ready);
  state_ = State::Running;
}

void RowGuard::commit(std::string& up) {
  inject(up, began_ ? std::string("COMMIT") : "RELEASE SAVEPOINT " + opt_.savepoint,
         Step::Commit);
  steps_.push_back(Step::EmitTag);
  close_names(up);
  began_ = false;
  open_ = false;
  if (stmt_.simple) {
    protocol::append_sync(up);
    steps_.push_back(Step::Ready);
  } else {
    protocol::append_flush(up);
  }
  state_ = State::Running;
}

void RowGuard::undo_for_retry(std::string& up) {
  inject(up, began_ ? std::string("ROLLBACK") : "ROLLBACK TO SAVEPOINT " + opt_.savepoint,
         Step::Quiet);
  protocol::append_flush(up);
  began_ = false;
  open_ = false;
  undoing_ = true;
  state_ = State::Running;
}

void RowGuard::run_again(std::string& up) { run_statement(up); }

void RowGuard::roll_back(std::string& up, Error error, std::string hint) {
  error_ = std::move(error);
  hint_ = std::move(hint);
  if (open_) {
    inject(up, began_ ? std::string("ROLLBACK") : "ROLLBACK TO SAVEPOINT " + opt_.savepoint,
           Step::Quiet);
  }
  began_ = false;
  open_ = false;
  protocol::append_parse(up, opt_.name, opt_.marker);
  steps_.push_back(Step::Marker);
  protocol::append_flush(up);
  state_ = State::Running;
}

void RowGuard::read_count_row(const protocol::Frame& f, Step step) {
  auto row = protocol::parse_data_row(f);
  if (!row || row->size() != 2 || !(*row)[0] || !(*row)[1]) return;
  auto n = to_u64(*(*row)[1]);
  if (!n) return;
  (step == Step::CountBefore ? before_ : after_)[std::string(*(*row)[0])] = *n;
}

void RowGuard::compute_rows() {
  rows_ = {};
  for (const auto& [table, n] : after_) {
    auto it = before_.find(table);
    const std::uint64_t was = it == before_.end() ? 0 : it->second;
    if (n > was) {
      rows_.tables[table] = n - was;
      rows_.total += n - was;
    }
  }
  if (tag_rows_) rows_.total = std::max(rows_.total, *tag_rows_);
}

}  // namespace airlock::proxy
