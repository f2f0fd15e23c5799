// Property-style: a generated trail over several files, then many random single changes
// (bytes, deleted, swapped and inserted records, truncated files); verify must refuse every
// one and point at the right file and line.
#include "audit/verify.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "audit/chain.hpp"
#include "audit/files.hpp"
#include "trail_fixture.hpp"

namespace airlock::audit {
namespace {

using namespace testing_support;

constexpr int kRecords = 300;

struct FileModel {
  std::string name;
  std::vector<std::string> lines;  // without newlines
};

std::vector<FileModel> model_of(const std::map<std::string, std::string>& files) {
  std::vector<FileModel> out;
  for (const auto& [name, content] : files) {
    FileModel f{name, {}};
    std::size_t start = 0;
    for (std::size_t nl; (nl = content.find('\n', start)) != std::string::npos; start = nl + 1)
      f.lines.push_back(content.substr(start, nl - start));
    out.push_back(std::move(f));
  }
  return out;
}

std::map<std::string, std::string> files_of(const std::vector<FileModel>& model) {
  std::map<std::string, std::string> out;
  for (const auto& f : model) {
    std::string content;
    for (const auto& l : f.lines) content += l + "\n";
    out[f.name] = content;
  }
  return out;
}

struct Expect {
  std::string file;
  std::uint64_t line;
  std::vector<Problem> problems;  // any of these
};

class VerifyProperty : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    head_ = make_trail(dir_->path(), kRecords, 4096);
    pristine_ = snapshot(dir_->path());
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override { restore(dir_->path(), pristine_); }

  static std::vector<FileModel> model() { return model_of(pristine_); }
  // (file index, line index) of every record, in seq order.
  static std::vector<std::pair<std::size_t, std::size_t>> positions(
      const std::vector<FileModel>& m) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t f = 0; f < m.size(); ++f)
      for (std::size_t l = 0; l < m[f].lines.size(); ++l) out.emplace_back(f, l);
    return out;
  }

  void expect_found(const std::string& what, const Expect& e,
                    const std::optional<Head>& anchor = std::nullopt) {
    auto r = verify(dir_->path(), {}, anchor);
    ASSERT_TRUE(r.has_value()) << what << ": " << r.error().message;
    ASSERT_FALSE(r->ok) << what << ": not detected";
    EXPECT_EQ(r->file, e.file) << what << ": " << r->where() << " " << r->reason;
    EXPECT_EQ(r->line, e.line) << what << ": " << r->where() << " " << r->reason;
    EXPECT_NE(std::find(e.problems.begin(), e.problems.end(), r->problem), e.problems.end())
        << what << ": problem " << to_string(r->problem) << ", " << r->reason;
  }

  static TempDir* dir_;
  static Head head_;
  static std::map<std::string, std::string> pristine_;
};

TempDir* VerifyProperty::dir_ = nullptr;
Head VerifyProperty::head_;
std::map<std::string, std::string> VerifyProperty::pristine_;

TEST_F(VerifyProperty, PristineTrailVerifies) {
  ASSERT_GE(pristine_.size(), 5u) << "the trail should span several files";
  auto r = verify(dir_->path());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok) << r->where() << ": " << r->reason;
  EXPECT_EQ(r->records, std::uint64_t{kRecords});
  EXPECT_EQ(r->files, pristine_.size());
  EXPECT_EQ(r->head.seq, head_.seq);
  EXPECT_EQ(r->head.hash, head_.hash);
  auto anchored = verify(dir_->path(), {}, head_);
  ASSERT_TRUE(anchored.has_value());
  EXPECT_TRUE(anchored->ok);
  auto a = anchor(dir_->path());
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->seq, head_.seq);
  EXPECT_EQ(a->hash, head_.hash);
}

TEST_F(VerifyProperty, FromALaterFileAfterOlderFilesWereRemoved) {
  const auto m = model();
  std::filesystem::remove(dir_->sub(m[0].name));
  std::filesystem::remove(dir_->sub(m[1].name));
  auto plain = verify(dir_->path());
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->ok);
  EXPECT_EQ(plain->problem, Problem::Deleted);
  auto from = verify(dir_->path(), m[2].name);
  ASSERT_TRUE(from.has_value());
  EXPECT_TRUE(from->ok) << from->where() << ": " << from->reason;
  EXPECT_EQ(from->head.hash, head_.hash);
  EXPECT_FALSE(verify(dir_->path(), "audit-99.jsonl").has_value());
}

TEST_F(VerifyProperty, AnySingleByteChangeIsFoundAtItsLine) {
  std::mt19937 rng(5);
  const auto names = model();
  for (int i = 0; i < 200; ++i) {
    restore(dir_->path(), pristine_);
    const auto& f = names[rng() % names.size()];
    std::string content = pristine_.at(f.name);
    const std::size_t p = rng() % content.size();
    const char old = content[p];
    char now;
    do now = static_cast<char>(rng() % 256);
    while (now == old);
    content[p] = now;
    write_file(dir_->sub(f.name), content);
    const auto line = 1 + static_cast<std::uint64_t>(std::count(
                              content.begin(), content.begin() + static_cast<long>(p), '\n'));
    expect_found(
        "byte " + std::to_string(p) + " of " + f.name,
        {f.name, line, {Problem::Edited, Problem::BadJson, Problem::TornLine, Problem::Naming}});
    if (HasFatalFailure()) return;
  }
}

TEST_F(VerifyProperty, DeletedRecordIsFoundWhereTheGapIs) {
  std::mt19937 rng(6);
  for (int i = 0; i < 60; ++i) {
    auto m = model();
    const auto pos = positions(m);
    const auto [f, l] = pos[rng() % (pos.size() - 1)];  // the newest one needs an anchor
    m[f].lines.erase(m[f].lines.begin() + static_cast<long>(l));
    restore(dir_->path(), files_of(m));
    Expect e = l < m[f].lines.size() ? Expect{m[f].name, l + 1, {}} : Expect{m[f + 1].name, 1, {}};
    e.problems = {Problem::Deleted, Problem::Naming};
    expect_found("delete " + m[f].name + ":" + std::to_string(l + 1), e);
    if (HasFatalFailure()) return;
  }
}

TEST_F(VerifyProperty, DeletingTheNewestRecordsNeedsTheAnchor) {
  auto m = model();
  m.back().lines.pop_back();
  restore(dir_->path(), files_of(m));
  auto plain = verify(dir_->path());
  ASSERT_TRUE(plain.has_value());
  EXPECT_TRUE(plain->ok) << "undetectable without an anchor: the residual risk";
  expect_found("newest record removed", {m.back().name, m.back().lines.size(), {Problem::Anchor}},
               head_);
}

TEST_F(VerifyProperty, SwappedRecordsAreFoundAtTheFirst) {
  std::mt19937 rng(7);
  for (int i = 0; i < 60; ++i) {
    auto m = model();
    const auto pos = positions(m);
    const std::size_t a = rng() % (pos.size() - 1);
    const std::size_t b = std::min(pos.size() - 1, a + 1 + rng() % 5);
    std::swap(m[pos[a].first].lines[pos[a].second], m[pos[b].first].lines[pos[b].second]);
    restore(dir_->path(), files_of(m));
    expect_found("swap " + std::to_string(a) + " " + std::to_string(b),
                 {m[pos[a].first].name, pos[a].second + 1, {Problem::Reordered, Problem::Naming}});
    if (HasFatalFailure()) return;
  }
}

TEST_F(VerifyProperty, InsertedRecordIsFoundAtItsLine) {
  std::mt19937 rng(8);
  for (int i = 0; i < 60; ++i) {
    auto m = model();
    const auto pos = positions(m);
    const std::size_t before = rng() % (pos.size() + 1);  // insert before this record
    std::size_t copy;
    do copy = rng() % pos.size();
    while (copy == before);  // a copy of the next record
                             // is that record, then a repeat
    const std::string line = m[pos[copy].first].lines[pos[copy].second];
    const std::size_t f = before < pos.size() ? pos[before].first : m.size() - 1;
    const std::size_t l = before < pos.size() ? pos[before].second : m.back().lines.size();
    m[f].lines.insert(m[f].lines.begin() + static_cast<long>(l), line);
    restore(dir_->path(), files_of(m));
    expect_found("insert a copy of " + std::to_string(copy) + " before " + std::to_string(before),
                 {m[f].name, l + 1, {Problem::Inserted, Problem::Reordered, Problem::Naming}});
    if (HasFatalFailure()) return;
  }
}

TEST_F(VerifyProperty, ForgedRecordWithAValidHashBreaksTheChain) {
  auto m = model();
  auto& line = m[2].lines[3];
  auto r = parse(line);
  ASSERT_TRUE(r.has_value());
  r->statement = "SELECT 1";
  r->prev = std::string(64, 'e');
  r->hash = chain_hash(r->prev, serialize_body(r->seq, r->time, serialize_fields(*r), r->prev));
  line = serialize(*r);
  restore(dir_->path(), files_of(m));
  expect_found("forged", {m[2].name, 4, {Problem::Edited}});
}

TEST_F(VerifyProperty, FileCutInTheMiddleOfALine) {
  std::mt19937 rng(9);
  const auto names = model();
  for (int i = 0; i < 30; ++i) {
    restore(dir_->path(), pristine_);
    const auto& f = names[rng() % names.size()];
    const std::string content = pristine_.at(f.name);
    std::size_t p;
    do p = 1 + rng() % (content.size() - 1);
    while (content[p - 1] == '\n');
    write_file(dir_->sub(f.name), content.substr(0, p));
    const auto line = 1 + static_cast<std::uint64_t>(std::count(
                              content.begin(), content.begin() + static_cast<long>(p), '\n'));
    expect_found("cut " + f.name + " at " + std::to_string(p), {f.name, line, {Problem::TornLine}});
    if (HasFatalFailure()) return;
  }
}

TEST_F(VerifyProperty, FileCutAtALineBoundary) {
  auto m = model();
  m[1].lines.resize(m[1].lines.size() / 2);
  restore(dir_->path(), files_of(m));
  expect_found("cut at a boundary", {m[2].name, 1, {Problem::Deleted}});
}

TEST_F(VerifyProperty, DeletedRenamedAndEmptiedFiles) {
  const auto m = model();
  std::filesystem::remove(dir_->sub(m[3].name));
  expect_found("file removed", {m[4].name, 1, {Problem::Deleted}});

  restore(dir_->path(), pristine_);
  std::filesystem::remove(dir_->sub(m[0].name));
  expect_found("first file removed", {m[1].name, 1, {Problem::Deleted}});

  restore(dir_->path(), pristine_);
  write_file(dir_->sub(m[2].name), "");
  expect_found("file emptied", {m[2].name, 0, {Problem::Deleted}});

  restore(dir_->path(), pristine_);
  std::filesystem::rename(dir_->sub(m[2].name),
                          dir_->sub(file_name(parse_file_name(m[2].name).value() + 1)));
  expect_found(
      "renamed",
      {file_name(parse_file_name(m[2].name).value() + 1), 1, {Problem::Deleted, Problem::Naming}});

  restore(dir_->path(), pristine_);
  std::filesystem::rename(dir_->sub(m[2].name), dir_->sub("audit-2.jsonl"));
  expect_found("misnamed", {"audit-2.jsonl", 0, {Problem::Naming}});
  std::filesystem::remove(dir_->sub("audit-2.jsonl"));
}

TEST_F(VerifyProperty, TornLastLineOfTheNewestFile) {
  const auto m = model();
  const std::string& content = pristine_.at(m.back().name);
  write_file(dir_->sub(m.back().name), content + "{\"seq\":");
  expect_found("torn", {m.back().name, m.back().lines.size() + 1, {Problem::TornLine}});
}

}  // namespace
}  // namespace airlock::audit
