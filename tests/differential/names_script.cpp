#include "names_script.hpp"

#include <array>
#include <charconv>
#include <sstream>

namespace airlock::differential {
namespace {

constexpr std::array<std::string_view, 8> kTexts = {"sel", "div", "fail",  "err",
                                                    "sp",  "rb",  "begin", "commit"};
constexpr std::array<std::string_view, 15> kSql = {
    "prepare",     "dealloc", "dealloc_all", "exec",    "begin", "commit", "rollback", "savepoint",
    "rollback_to", "div",     "discard",     "declare", "close", "empty",  "err"};

std::string show(std::string_view name) { return name.empty() ? "_" : std::string(name); }
std::string unshow(std::string_view word) { return word == "_" ? "" : std::string(word); }

bool named_sql(Sql s) {
  return s == Sql::Prepare || s == Sql::Dealloc || s == Sql::Exec || s == Sql::Declare ||
         s == Sql::CloseCursor;
}

}  // namespace

std::string format_op(const Op& op) {
  std::vector<std::string> w;
  switch (op.kind) {
    case OpKind::Parse:
      w = {"P", show(op.name), std::string(kTexts[static_cast<std::size_t>(op.text)])};
      break;
    case OpKind::Bind:
      w = {"B", show(op.name), show(op.stmt)};
      break;
    case OpKind::Execute:
      w = {"E", show(op.name), std::to_string(op.max_rows)};
      break;
    case OpKind::Describe:
      w = {"D", std::string(1, op.target), show(op.name)};
      break;
    case OpKind::Close:
      w = {"C", std::string(1, op.target), show(op.name)};
      break;
    case OpKind::Flush:
      w = {"H"};
      break;
    case OpKind::Sync:
      w = {"S"};
      break;
    case OpKind::Drain:
      w = {"R"};
      break;
    case OpKind::Query:
      w = {"Q", std::string(kSql[static_cast<std::size_t>(op.sql)])};
      if (named_sql(op.sql)) w.push_back(show(op.name));
      break;
  }
  std::string out;
  for (const auto& x : w) out += (out.empty() ? "" : " ") + x;
  return out;
}

std::string format_script(const std::vector<Op>& ops) {
  std::string out;
  for (const auto& op : ops) {
    if (!out.empty()) out += "; ";
    out += format_op(op);
  }
  return out;
}

std::optional<std::vector<Op>> parse_script(std::string_view script, std::string& error) {
  std::vector<Op> ops;
  std::string item;
  std::istringstream items{std::string(script)};
  while (std::getline(items, item, ';')) {
    std::istringstream in(item);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    if (w.empty()) continue;
    auto fail = [&](std::string_view why) {
      error = "bad op '" + item + "': " + std::string(why);
      return std::nullopt;
    };
    auto need = [&](std::size_t n) { return w.size() == n; };
    Op op;
    const std::string& k = w[0];
    if (k == "P" && need(3)) {
      op.kind = OpKind::Parse;
      op.name = unshow(w[1]);
      std::size_t i = 0;
      while (i < kTexts.size() && kTexts[i] != w[2]) ++i;
      if (i == kTexts.size()) return fail("unknown text");
      op.text = static_cast<Text>(i);
    } else if (k == "B" && need(3)) {
      op.kind = OpKind::Bind;
      op.name = unshow(w[1]);
      op.stmt = unshow(w[2]);
    } else if (k == "E" && need(3)) {
      op.kind = OpKind::Execute;
      op.name = unshow(w[1]);
      const auto r = std::from_chars(w[2].data(), w[2].data() + w[2].size(), op.max_rows);
      if (r.ec != std::errc{}) return fail("bad row count");
    } else if ((k == "D" || k == "C") && need(3) && (w[1] == "S" || w[1] == "P")) {
      op.kind = k == "D" ? OpKind::Describe : OpKind::Close;
      op.target = w[1][0];
      op.name = unshow(w[2]);
    } else if (k == "H" && need(1)) {
      op.kind = OpKind::Flush;
    } else if (k == "S" && need(1)) {
      op.kind = OpKind::Sync;
    } else if (k == "R" && need(1)) {
      op.kind = OpKind::Drain;
    } else if (k == "Q" && (need(2) || need(3))) {
      op.kind = OpKind::Query;
      std::size_t i = 0;
      while (i < kSql.size() && kSql[i] != w[1]) ++i;
      if (i == kSql.size()) return fail("unknown statement");
      op.sql = static_cast<Sql>(i);
      if (named_sql(op.sql) != need(3)) return fail("name expected with this statement only");
      if (need(3)) op.name = unshow(w[2]);
    } else {
      return fail("unknown op or wrong number of words");
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

}  // namespace airlock::differential
