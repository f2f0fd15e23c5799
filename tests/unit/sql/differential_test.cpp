// Differential test: the raw-tree translator against an independent JSON-based extractor
// (json_extractor.hpp), statement by statement, over our own corpus and over the SQL that
// ships with PostgreSQL (system views, information_schema, extension scripts).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "json_extractor.hpp"
#include "sql/analyze.hpp"
#include "sql/names.hpp"

namespace airlock::sql::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Extension scripts hold psql meta-commands and @placeholders@ that CREATE EXTENSION
// substitutes; make them plain SQL.
std::string plain_sql(std::string s) {
  std::string out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '\\') continue;
    for (std::size_t p; (p = line.find("@extschema@")) != std::string::npos;)
      line.replace(p, 11, "extschema");
    for (std::size_t p; (p = line.find("@extowner@")) != std::string::npos;)
      line.replace(p, 10, "extowner");
    out += line + "\n";
  }
  return out;
}

struct Tally {
  int statements = 0;
  int compared = 0;
  int unsupported = 0;
  std::vector<std::string> mismatches;
};

std::set<std::string> our_relations(const StatementFacts& f) {
  std::set<std::string> s;
  for (const auto& r : f.relations)
    s.insert((r.catalog.empty() ? "" : r.catalog + ".") + (r.schema.empty() ? "" : r.schema + ".") +
             r.name);
  return s;
}

std::set<std::string> our_functions(const StatementFacts& f) {
  std::set<std::string> s;
  for (const auto& fn : f.functions)
    s.insert((fn.catalog.empty() ? "" : fn.catalog + ".") +
             (fn.schema.empty() ? "" : fn.schema + ".") + fn.name + "/" +
             std::to_string(fn.arg_count));
  return s;
}

std::string set_text(const std::set<std::string>& s) {
  std::string out;
  for (const auto& i : s) out += i + " ";
  return out;
}

void compare(const std::string& label, const std::string& sql, Tally& t) {
  AnalyzeLimits limits;
  limits.max_text_bytes = 8u << 20;
  const Analysis a = analyze(sql, limits);
  const JsonFacts j = extract_via_json(sql);
  if (!a.ok() || !j.ok) {
    t.mismatches.push_back(label + ": outcome " + std::string(to_string(a.outcome)) + " (" +
                           a.reason + ") json " + (j.ok ? "ok" : j.error));
    return;
  }
  if (a.statements.size() != j.statements.size()) {
    t.mismatches.push_back(label + ": statement count differs");
    return;
  }
  for (std::size_t i = 0; i < a.statements.size(); ++i) {
    const StatementFacts& f = a.statements[i];
    ++t.statements;
    const std::string text = sql.substr(f.text_offset, std::min<std::size_t>(f.text_length, 160));
    if (!f.unsupported_reason.empty()) {
      ++t.unsupported;
      t.mismatches.push_back(label + ": unsupported (" + f.unsupported_reason + "): " + text);
      continue;
    }
    ++t.compared;
    const JsonStatement& js = j.statements[i];
    if (std::string(to_string(f.kind)) != js.kind)
      t.mismatches.push_back(label + ": kind " + std::string(to_string(f.kind)) + " vs " + js.kind +
                             ": " + text);
    if (our_relations(f) != js.relations)
      t.mismatches.push_back(label + ": relations [" + set_text(our_relations(f)) + "] vs [" +
                             set_text(js.relations) + "]: " + text);
    if (our_functions(f) != js.functions)
      t.mismatches.push_back(label + ": functions [" + set_text(our_functions(f)) + "] vs [" +
                             set_text(js.functions) + "]: " + text);
  }
}

void report(const Tally& t) {
  for (std::size_t i = 0; i < t.mismatches.size() && i < 40; ++i) ADD_FAILURE() << t.mismatches[i];
  std::cout << "[differential] statements=" << t.statements << " compared=" << t.compared
            << " unsupported=" << t.unsupported << " mismatches=" << t.mismatches.size() << "\n";
}

TEST(Differential, OwnCorpus) {
  const std::string sql = read_file(fs::path(AIRLOCK_TEST_DATA_DIR) / "corpus.sql");
  ASSERT_FALSE(sql.empty());
  Tally t;
  compare("corpus.sql", sql, t);
  report(t);
  EXPECT_GE(t.compared, 200);
}

TEST(Differential, PostgresShippedSql) {
  const fs::path share(AIRLOCK_PG_SHAREDIR);
  if (!fs::is_directory(share)) GTEST_SKIP() << "no PostgreSQL share directory";
  std::vector<fs::path> files;
  for (const fs::path& dir : {share, share / "extension"}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".sql") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  Tally t;
  for (const auto& f : files) compare(f.filename().string(), plain_sql(read_file(f)), t);
  report(t);
  EXPECT_GT(t.compared, 1000);
}

}  // namespace
}  // namespace airlock::sql::test
