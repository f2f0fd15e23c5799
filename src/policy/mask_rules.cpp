// `mask:` columns (docs/policy.md, "Masking"): which result columns of a statement return
// masked values, at which positions and in which style, and the statements whose masked
// values would leave through something the gateway cannot mask (COPY, cursors, writes).
// Never passes a column through that might hold masked data: it is masked, or the
// statement is denied.
#include <algorithm>

#include "policy/facts_view.hpp"
#include "policy/judge.hpp"

namespace airlock::policy::detail {
namespace {

// The masks of every entry naming the table, whatever its actions: a mask on an `update`
// entry still covers RETURNING. A column masked twice gets the stricter style.
std::vector<MaskSpec> masks_of(const std::vector<const CompiledEntry*>& all, std::string& rule) {
  std::vector<MaskSpec> out;
  for (const CompiledEntry* e : all) {
    for (const MaskSpec& m : e->mask) {
      if (rule.empty()) rule = e->id;
      bool merged = false;
      for (MaskSpec& o : out) {
        if (o.column != m.column) continue;
        o.style = strictest(o.style, m.style);
        merged = true;
      }
      if (!merged) out.push_back(m);
    }
  }
  return out;
}

std::string source_name(const ObjectName& n, const std::string& column) {
  return n.schema + "." + n.name + "." + column;
}

// Partial and hash are only safe on the stored value itself (OutputColumn::direct).
MaskStyle style_for(const sql::OutputColumn& o, MaskStyle style) {
  if (o.direct && !o.opaque && o.sources.size() == 1) return style;
  return style == MaskStyle::Null ? MaskStyle::Null : MaskStyle::Full;
}

bool stores_values(const sql::StatementFacts& s) {
  return s.kind != sql::StatementKind::Explain || s.is_explain_analyze;
}

void judge_outputs(Judge& j, const sql::StatementFacts& s, const sql::RelationRef& r,
                   const ObjectName& n, const std::vector<MaskSpec>& masks, Decision& d) {
  ResultShape shape;
  bool positions_known = true;  // false after an unexpanded `*`
  std::size_t position = 0;
  for (const sql::OutputColumn& o : s.output_columns) {
    std::optional<MaskStyle> style;
    std::string sources;
    for (const MaskSpec& m : masks) {
      bool hit = false;
      for (const auto& c : o.sources) hit = hit || source_may_be(c, r, m.column);
      if (!hit) continue;
      style = style ? strictest(*style, m.style) : m.style;
      sources += (sources.empty() ? "" : ",") + source_name(n, m.column);
    }
    if (o.star) {
      if (style || o.opaque) {
        return j.deny("builtin.columns_unknown",
                      "cannot tell which result columns of a `*` hold masked columns of " +
                          display(n) + "; name the columns");
      }
      positions_known = false;
      shape.open_ended = true;
      continue;
    }
    // Opaque: the value's sources are not all known, so it may hold masked data.
    if (!style && !o.opaque) {
      if (positions_known) shape.columns.push_back(o.name);
      ++position;
      continue;
    }
    if (!positions_known) {
      return j.deny("builtin.columns_unknown",
                    "result column " + quote_identifier(o.name) + " may hold masked columns of " +
                        display(n) + " but follows a `*` that could not be expanded; name the "
                                     "columns");
    }
    d.masked_outputs.push_back(MaskedOutput{
        0, position, sources, style ? style_for(o, *style) : MaskStyle::Full});
    d.masked_columns.push_back(o.name);
    shape.columns.push_back(o.name);
    ++position;
  }
  if (!d.masked_outputs.empty()) d.result_shapes.push_back(std::move(shape));
}

}  // namespace

void judge_masks(Judge& j, const sql::StatementFacts& s, const sql::RelationRef& r,
                 const ObjectName& n, const std::vector<const CompiledEntry*>& all) {
  std::string rule;
  const std::vector<MaskSpec> masks = masks_of(all, rule);
  if (masks.empty()) return;
  Decision d = Decision::allow(rule);
  // Server errors can quote values of any column the statement reads (a failed cast, a
  // constraint's failing row), not only of the result's.
  const auto read = columns_read(s, r);
  for (const MaskSpec& m : masks) {
    d.redact_errors = d.redact_errors || !read ||
                      std::find(read->begin(), read->end(), m.column) != read->end();
  }
  if (stores_values(s)) {
    for (const MaskSpec& m : masks) {
      bool stored = false;
      for (const auto& c : s.stored_sources) stored = stored || source_may_be(c, r, m.column);
      if (stored) {
        return j.deny("builtin.masking_write",
                      "the statement would store masked column " + quote_identifier(m.column) +
                          " of " + display(n) + " (or a value derived from it) in a table, "
                                                "where it would no longer be masked");
      }
    }
    if (s.stored_opaque) {
      return j.deny("builtin.masking_write",
                    "the statement stores values whose sources Airlock cannot trace, and "
                    "reads " + display(n) + ", which has masked columns");
    }
  }
  judge_outputs(j, s, r, n, masks, d);
  j.add(d);
}

void judge_mask_flow(Judge& j, const sql::StatementFacts& s) {
  Decision& d = j.result;
  if (d.masked_outputs.empty()) return;
  std::string cols;
  for (const auto& c : d.masked_columns) cols += (cols.empty() ? "" : ", ") + quote_identifier(c);
  switch (s.kind) {
    case sql::StatementKind::Copy:
      return j.deny("builtin.masking_copy",
                    "COPY would return masked columns (" + cols + ") and COPY data is not "
                    "masked; use SELECT, whose rows are");
    case sql::StatementKind::DeclareCursor:
      return j.deny("builtin.masking_cursor",
                    "a cursor over masked columns (" + cols + "): rows fetched from it are "
                    "not masked; use SELECT, whose rows are");
    case sql::StatementKind::Explain:  // EXPLAIN EXECUTE p: a plan, not p's rows
      d.masked_outputs.clear();
      d.masked_columns.clear();
      d.result_shapes.clear();
      return;
    default: break;
  }
  // CREATE TABLE ... AS EXECUTE p, SELECT ... INTO: the rows go into a table, not the result.
  if (s.kind != sql::StatementKind::Execute && s.kind != sql::StatementKind::Prepare &&
      (s.inner_kind == sql::StatementKind::Execute || s.select_into)) {
    return j.deny("builtin.masking_write", "the statement would store masked columns (" + cols +
                                               ") in a table, where they would no longer be "
                                               "masked");
  }
}

}  // namespace airlock::policy::detail
