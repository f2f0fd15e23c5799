#pragma once
// Shared by the audit tests: a temporary directory and a generated trail.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "audit/record.hpp"
#include "audit/writer.hpp"

namespace airlock::audit::testing_support {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "airlock-audit-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// Every trail file's content by name.
inline std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("audit-") && name.ends_with(".jsonl")) out[name] = read_file(e.path());
  }
  return out;
}

// Makes the trail files exactly `files`, rewriting only those that differ (deleting and
// creating files is what costs most in the property tests).
inline void restore(const std::string& dir, const std::map<std::string, std::string>& files) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("audit") && name.ends_with(".jsonl") && !files.contains(name))
      fs::remove(e.path());
  }
  for (const auto& [name, content] : files) {
    const std::string path = dir + "/" + name;
    if (!fs::exists(path) || read_file(path) != content) write_file(path, content);
  }
}

// A plausible record: agents, sessions, decisions and tables vary with i.
inline Record sample_record(int i) {
  static const char* agents[] = {"support-bot", "billing-agent", "analyst"};
  static const char* decisions[] = {"allow", "allow", "deny", "hold"};
  static const char* tables[] = {"public.subscriptions", "public.customers", "billing.invoices"};
  Record r;
  r.kind = i % 5 == 4 ? kind::kOutcome : kind::kIntent;
  r.agent = agents[i % 3];
  r.session = "s-" + std::to_string(i / 7);
  r.client = "10.0.0." + std::to_string(i % 250) + ":5" + std::to_string(1000 + i);
  r.application_name = "psql";
  r.mode = "enforce";
  r.statement = "SELECT * FROM " + std::string(tables[i % 3]) + " WHERE id = $1 /* " +
                std::to_string(i) + " */";
  r.fingerprint = "0123456789abcdef";
  r.tables = {tables[i % 3]};
  r.decision = decisions[i % 4];
  r.rule = r.decision == "deny" ? "no-writes" : "read-only";
  r.reason = "rule " + r.rule + " matched \"quoted\" and \\ escaped\n";
  if (r.kind == kind::kOutcome) {
    r.rows_changed = i % 11;
    r.row_limit = 100;
    r.guard = i % 2 ? "committed" : "rolled_back";
    r.duration_us = 1000 + i;
  }
  return r;
}

// Writes `count` records with small files, so that the trail spans several of them.
inline Head make_trail(const std::string& dir, int count, std::uint64_t max_file_bytes = 4096) {
  WriterOptions o;
  o.dir = dir;
  o.fsync = FsyncPolicy::Interval;  // durability is not what these tests are about
  o.max_file_bytes = max_file_bytes;
  auto w = Writer::open(o);
  EXPECT_TRUE(w.has_value()) << (w ? "" : w.error().message);
  for (int i = 0; i < count; ++i) {
    Record r = sample_record(i);
    auto s = (*w)->append(r);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
  }
  return (*w)->head();
}

}  // namespace airlock::audit::testing_support
