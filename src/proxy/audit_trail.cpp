// Session: the audit trail. Every statement gets an intent record before it is forwarded
// (written to the OS before the bytes go upstream, so a crash cannot leave an executed
// statement unrecorded) and an outcome record when its sync batch completes. When the trail
// cannot be written, statements that may change data are refused; reads go on. Both carry
// the intent the agent stated (docs/access.md, "Justification"): the statement's comment,
// else the session's.
#include <spdlog/spdlog.h>

#include "core/intent_text.hpp"
#include "protocol/backend.hpp"
#include "proxy/guard_text.hpp"
#include "proxy/session.hpp"
#include "sql/normalize.hpp"

namespace airlock::proxy {
namespace {

constexpr const char* kAuditUnwritable = "58030";  // io_error
// The server's error text kept in an outcome record: a hostile or broken server may send
// megabytes, which would become one record each (issue #19).
constexpr std::size_t kMaxErrorText = 4096;

}  // namespace

bool Session::audit_intent(const StatementInfo& info, std::uint64_t batch, Verdict& refusal) {
  audit::Writer* w = services_.audit.get();
  if (!w) return true;
  audit::Record r;
  r.kind = audit::kind::kIntent;
  r.agent = agent_;
  r.session = session_id_;
  r.client = peer_;
  r.application_name = application_name_;
  r.mode = mode_;
  if (local_) r.front = local_->front;
  if (token_) r.token = token_->id;
  r.intent = info.intent.empty() ? std::string(session_intent()) : info.intent;
  r.statement = info.statement;
  r.fingerprint = info.fingerprint;
  r.tables = info.tables;
  r.decision = info.decision;
  r.rule = info.rule;
  r.reason = info.reason;
  const auto t0 = Clock::now();
  auto st = w->append(r);
  services_.metrics.audit_write_seconds.observe(Clock::now() - t0);
  if (!st) {
    services_.metrics.audit_write_failures_total.inc();
    spdlog::error("audit agent={} session={}: {}", agent_, session_id_, st.error().message);
    if (info.read_only) return true;
    refusal = Verdict::deny(
        Error::make(kAuditUnwritable, "airlock: " + st.error().message +
                                          "; statements that change data are refused until the "
                                          "audit trail can be written again [gateway.audit]"),
        "Reads still work. Tell an operator: the audit trail's disk is full or failing.");
    return false;
  }
  intents_.push_back(Intent{batch, r.seq, t0, std::move(r.intent)});
  return true;
}

std::string_view Session::session_intent() const {
  // A pooled local session serves many calls: only the current call's intent counts.
  if (local_) return local_->intent;
  return app_intent_;
}

void Session::note_application_name(std::string_view value) {
  application_name_.assign(value);
  app_intent_ = intent_of_application_name(value);
}

void Session::count_statement(const Verdict* v) {
  const int i = !v || (v->forward && !v->hold) ? 0 : v->forward ? 1 : 2;
  static constexpr const char* kNames[] = {"allow", "hold", "deny"};
  if (!statement_counters_[i]) {
    statement_counters_[i] = &services_.metrics.statements_total.labels({agent_, kNames[i]});
  }
  statement_counters_[i]->inc();
  if (i == 2) {
    std::string rule = rule_of(v->error.message);
    if (rule.empty()) rule = "unknown";
    services_.metrics.denials_total.labels({agent_, rule}).inc();
  }
}

void Session::audit_error(const protocol::Frame& f) {
  if (!batch_sqlstate_.empty()) return;  // the first error of a batch is its outcome
  if (auto e = protocol::parse_error(f)) {
    batch_sqlstate_.assign(e->sqlstate);
    // Error text quotes values ("invalid input syntax for type integer: \"...\""), in
    // double quotes too: redact those as well.
    const std::string_view text = e->message.substr(0, kMaxErrorText);
    batch_error_ = sql::redact_literals(text, false);
    if (e->message.size() > kMaxErrorText) {
      batch_error_ += " [... " + std::to_string(e->message.size() - kMaxErrorText) + " more bytes]";
    }
  }
}

void Session::audit_outcomes(std::uint64_t batch) {
  traffic_outcomes(batch);
  audit::Writer* w = services_.audit.get();
  const auto now = Clock::now();
  std::size_t count = 0;  // shadow mode: the batch's intents, to pair with its row counts
  if (shadow_) {
    for (const auto& in : intents_) count += in.batch <= batch ? 1 : 0;
  }
  for (std::size_t index = 0; !intents_.empty() && intents_.front().batch <= batch; ++index) {
    Intent in = std::move(intents_.front());
    intents_.pop_front();
    services_.metrics.upstream_latency_seconds.observe(now - in.start);
    if (!w) continue;
    audit::Record r;
    r.kind = audit::kind::kOutcome;
    r.agent = agent_;
    r.session = session_id_;
    r.ref = static_cast<std::int64_t>(in.seq);
    r.intent = std::move(in.stated);
    r.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(now - in.start).count();
    r.sqlstate = batch_sqlstate_;
    r.error = batch_error_;
    if (shadow_) {  // what the write would have changed: rows from its command tag
      r.mode = mode_;
      r.rows_changed = shadow_rows(index, count);
    }
    if (auto st = w->append(r); !st) services_.metrics.audit_write_failures_total.inc();
  }
  batch_sqlstate_.clear();
  batch_error_.clear();
}

void Session::audit_guard(const char* outcome, std::uint64_t rows,
                          std::optional<std::uint64_t> limit, const std::string& approval) {
  audit::Writer* w = services_.audit.get();
  if (!w) return;
  audit::Record r;
  r.kind = audit::kind::kOutcome;
  r.agent = agent_;
  r.session = session_id_;
  r.mode = mode_;
  if (guard_intent_) {
    r.ref = static_cast<std::int64_t>(guard_intent_->seq);
    r.intent = guard_intent_->stated;
  }
  r.rows_changed = static_cast<std::int64_t>(rows);
  if (limit) r.row_limit = static_cast<std::int64_t>(*limit);
  r.guard = outcome;
  r.approval_id = approval;
  if (auto st = w->append(r); !st) services_.metrics.audit_write_failures_total.inc();
}

void Session::audit_token_use() {
  audit::Writer* w = services_.audit.get();
  if (!w) return;
  audit::Record r;
  r.kind = audit::kind::kEvent;
  r.agent = agent_;
  r.session = session_id_;
  r.client = peer_;
  r.application_name = application_name_;
  if (local_) r.front = local_->front;
  r.token = token_->id;
  r.reason = "token " + token_->id + " used by session " + session_id_;
  if (auto st = w->append(r); !st) {
    services_.metrics.audit_write_failures_total.inc();
    spdlog::error("audit agent={} session={}: {}", agent_, session_id_, st.error().message);
  }
}

}  // namespace airlock::proxy
