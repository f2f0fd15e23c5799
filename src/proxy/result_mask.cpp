// Session: masking of result columns (policy `mask:`). The client loop queues a job for each
// Query or Execute whose decision masks columns; the upstream loop rewrites the DataRows of
// those results, and withholds error texts of statements that read masked columns.
//
// Which result a DataRow belongs to is counted, not guessed: within a sync batch, results
// end with CommandComplete, EmptyQueryResponse or PortalSuspended, in the order the
// statements (of a Query string) or Executes (of an extended batch) were sent.
#include <spdlog/spdlog.h>

#include "masking/mask.hpp"
#include "protocol/backend.hpp"
#include "protocol/field_reader.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {
namespace {

// PostgreSQL truncates result column names to NAMEDATALEN - 1 bytes.
bool same_name(std::string_view server, std::string_view expected) {
  return server == expected.substr(0, std::min<std::size_t>(expected.size(), 63));
}

}  // namespace

std::optional<std::vector<std::int16_t>> bind_result_formats(std::string_view rest) {
  protocol::FieldReader r(rest);
  const std::int16_t nf = r.i16();
  if (!r.ok() || nf < 0) return std::nullopt;
  r.bytes(std::int64_t{nf} * 2);
  const std::int16_t np = r.i16();
  if (!r.ok() || np < 0) return std::nullopt;
  for (int i = 0; i < np; ++i) {
    const std::int32_t len = r.i32();
    if (len > 0) r.bytes(len);
  }
  const std::int16_t nr = r.i16();
  if (!r.ok() || nr < 0) return std::nullopt;
  std::vector<std::int16_t> out;
  for (int i = 0; i < nr; ++i) out.push_back(r.i16());
  if (!r.ok()) return std::nullopt;
  return out;
}

void Session::queue_mask(std::shared_ptr<const MaskPlan> plan, std::uint64_t batch,
                         std::size_t result, bool whole, std::vector<std::int16_t> formats,
                         std::shared_ptr<const Described> described) {
  if (!plan) return;
  mask_jobs_.push_back(MaskJob{batch, result, whole, std::move(plan), std::move(formats),
                               std::move(described)});
}

// Sets up the columns to mask for the result that starts now, from its RowDescription (or
// the last one Describe returned in this batch). A result whose shape is not the one the
// decision describes gets every column masked.
void Session::begin_masked_result(const MaskJob& job, std::size_t statement,
                                  const std::vector<protocol::FieldDescription>* fields,
                                  std::size_t width) {
  mask_cur_ = {};
  mask_cur_.active = true;
  const MaskPlan::Statement* st = job.plan->find(statement);
  if (!st) {
    mask_cur_.active = false;  // this statement of the string returns nothing masked
    return;
  }
  auto format_of = [&](std::size_t i) -> std::int16_t {
    if (fields && job.formats.empty()) return (*fields)[i].format;
    if (job.formats.empty()) return 0;
    if (job.formats.size() == 1) return job.formats[0];
    return i < job.formats.size() ? job.formats[i] : std::int16_t{0};
  };
  bool shape_ok = fields != nullptr && (fields->size() == st->names.size() ||
                                        (st->open_ended && fields->size() >= st->names.size()));
  for (std::size_t i = 0; shape_ok && i < st->names.size(); ++i) {
    shape_ok = same_name((*fields)[i].name, st->names[i]);
  }
  if (shape_ok) {
    for (const auto& c : st->columns) {
      if (c.position >= fields->size()) continue;
      mask_cur_.columns.push_back({c.position});
      mask_cur_.styles.push_back(c.style);
      mask_cur_.oids.push_back((*fields)[c.position].type_oid);
      mask_cur_.formats.push_back(format_of(c.position));
    }
    return;
  }
  // Unknown or different shape: mask everything (type unknown → NULL).
  const std::size_t n = fields ? fields->size() : width;
  for (std::size_t i = 0; i < n; ++i) {
    mask_cur_.columns.push_back({i});
    mask_cur_.styles.push_back(MaskStyle::Full);
    mask_cur_.oids.push_back(fields ? (*fields)[i].type_oid : 0);
    mask_cur_.formats.push_back(fields ? format_of(i) : std::int16_t{0});
  }
  spdlog::info("agent={} result shape differs from the decision's: every column masked", agent_);
}

// One server message while masking jobs are queued. Returns false when the message must
// not be forwarded as it is: `out` then holds its replacement (possibly nothing). Sets
// `bad` for a DataRow that cannot be rewritten (never forwarded).
bool Session::mask_frame(const protocol::Frame& f, std::string& out, bool& bad) {
  // Jobs of batches already answered are dropped at ReadyForQuery (mask_batch_done).
  if (mask_jobs_.empty() || mask_jobs_.front().batch != completed_syncs_) return true;
  // A Query's job covers every result of its string (statement k = result k); an Execute's
  // job covers the one result of that Execute.
  const MaskJob* job = nullptr;
  for (const auto& j : mask_jobs_) {
    if (j.batch != completed_syncs_) break;
    if (j.whole || j.result == results_done_) {
      job = &j;
      break;
    }
  }
  const std::size_t statement = job && job->whole ? results_done_ : 0;
  const bool redact = [&] {
    for (const auto& j : mask_jobs_) {
      if (j.batch == completed_syncs_ && j.plan->redact_errors) return true;
    }
    return false;
  }();
  switch (f.type) {
    case 'T': {
      // Kept with its bytes: later DataRows may come in another read.
      mask_last_desc_ = Described::copy(f);
      if (!mask_last_desc_) return true;
      if (job) begin_masked_result(*job, statement, &mask_last_desc_->fields, 0);
      return true;
    }
    case 'D': {
      if (!mask_cur_.active) {
        if (!job) return true;
        auto width = protocol::parse_data_row(f);
        const Described* d = mask_last_desc_ ? mask_last_desc_.get() : job->described.get();
        begin_masked_result(*job, statement, d ? &d->fields : nullptr, width ? width->size() : 0);
        if (!mask_cur_.active) return true;
      }
      if (mask_cur_.columns.empty()) return true;
      const std::string& key = job ? job->plan->key : std::string();
      const bool ok = protocol::append_data_row_masked(
          out, f, mask_cur_.columns, [&](std::size_t i, std::string_view v) {
            return masking::mask_value(mask_cur_.styles[i], v, mask_cur_.formats[i],
                                       mask_cur_.oids[i], key);
          });
      if (!ok) bad = true;
      return false;
    }
    case 'C': case 'I': case 's':
      mask_cur_ = {};  // the relay counts results_done_ for every result
      return true;
    case 'E': case 'N': {
      if (f.type == 'E') mask_cur_ = {};
      if (!redact) return true;
      auto e = protocol::parse_error(f);
      const std::string state = e ? std::string(e->sqlstate) : std::string(sqlstate::kInternalError);
      const protocol::ErrorFields fields{
          .severity = f.type == 'E' ? "ERROR" : "NOTICE", .sqlstate = state,
          .message = "airlock: the server's message is withheld: the statement reads masked "
                     "columns, whose values it may quote"};
      if (f.type == 'E') protocol::append_error(out, fields);
      else protocol::append_notice(out, fields);
      return false;
    }
    default:
      return true;
  }
}

void Session::mask_batch_done(std::uint64_t batch) {
  while (!mask_jobs_.empty() && mask_jobs_.front().batch <= batch) mask_jobs_.pop_front();
  results_done_ = 0;
  mask_cur_ = {};
  mask_last_desc_.reset();
}

}  // namespace airlock::proxy
