#include "audit/writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <set>
#include <thread>

#include "audit/chain.hpp"
#include "audit/files.hpp"
#include "audit/verify.hpp"
#include "trail_fixture.hpp"

namespace airlock::audit {
namespace {

using namespace testing_support;

WriterOptions options(const std::string& dir, std::uint64_t max_file_bytes = 64 * 1024) {
  WriterOptions o;
  o.dir = dir;
  o.fsync = FsyncPolicy::Always;
  o.max_file_bytes = max_file_bytes;
  return o;
}

TEST(Writer, FillsSeqTimePrevAndHash) {
  TempDir tmp;
  auto w = Writer::open(options(tmp.path()));
  ASSERT_TRUE(w.has_value()) << w.error().message;
  Record a = sample_record(0), b = sample_record(1);
  ASSERT_TRUE((*w)->append(a));
  ASSERT_TRUE((*w)->append(b));
  EXPECT_EQ(a.seq, 1u);
  EXPECT_EQ(b.seq, 2u);
  EXPECT_EQ(a.prev, kGenesis);
  EXPECT_EQ(b.prev, a.hash);
  EXPECT_TRUE(parse_time_ms(a.time).has_value()) << a.time;
  EXPECT_EQ((*w)->head().seq, 2u);
  EXPECT_EQ((*w)->head().hash, b.hash);
  const std::string content = read_file(tmp.sub(file_name(1)));
  EXPECT_EQ(content, serialize(a) + "\n" + serialize(b) + "\n");
}

TEST(Writer, RotatesBySizeAndTheChainContinuesAcrossFiles) {
  TempDir tmp;
  const Head head = make_trail(tmp.path(), 60, 2048);
  auto listing = list_files(tmp.path());
  ASSERT_TRUE(listing.has_value());
  ASSERT_GT(listing->files.size(), 3u);
  for (const auto& f : listing->files) {
    EXPECT_LE(std::filesystem::file_size(f.path), 2048u) << f.name;
  }
  auto report = verify(tmp.path());
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->where() << ": " << report->reason;
  EXPECT_EQ(report->records, 60u);
  EXPECT_EQ(report->head.hash, head.hash);
}

TEST(Writer, ReopenContinuesTheChain) {
  TempDir tmp;
  make_trail(tmp.path(), 10, 1500);
  auto w = Writer::open(options(tmp.path(), 1500));
  ASSERT_TRUE(w.has_value()) << w.error().message;
  EXPECT_EQ((*w)->head().seq, 10u);
  EXPECT_TRUE((*w)->recovery_notes().empty());
  Record r = sample_record(10);
  ASSERT_TRUE((*w)->append(r));
  EXPECT_EQ(r.seq, 11u);
  w->reset();
  auto report = verify(tmp.path());
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->where() << ": " << report->reason;
  EXPECT_EQ(report->records, 11u);
}

TEST(Writer, OneWriterPerDirectory) {
  TempDir tmp;
  auto first = Writer::open(options(tmp.path()));
  ASSERT_TRUE(first.has_value());
  auto second = Writer::open(options(tmp.path()));
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
}

TEST(Writer, TornLastLineIsTruncatedAndRecordedAsAnEvent) {
  TempDir tmp;
  make_trail(tmp.path(), 5);
  const std::string path = tmp.sub(file_name(1));
  const std::string good = read_file(path);
  const std::string torn = "{\"seq\":6,\"time\":\"2024-";  // a write cut short
  write_file(path, good + torn);
  {
    auto w = Writer::open(options(tmp.path()));
    ASSERT_TRUE(w.has_value()) << w.error().message;
    ASSERT_EQ((*w)->recovery_notes().size(), 1u);
    const std::string expected = "torn last line (" + std::to_string(torn.size()) + " bytes)";
    EXPECT_NE((*w)->recovery_notes()[0].find(expected), std::string::npos)
        << (*w)->recovery_notes()[0];
    EXPECT_EQ((*w)->head().seq, 6u);  // the event record
  }
  const std::string now = read_file(path);
  ASSERT_EQ(now.substr(0, good.size()), good);
  auto event = parse(now.substr(good.size(), now.size() - good.size() - 1));
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->seq, 6u);
  EXPECT_EQ(event->kind, "event");
  auto report = verify(tmp.path());
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->where() << ": " << report->reason;
}

TEST(Writer, EmptyNewestFileAfterARotationCrashIsReused) {
  TempDir tmp;
  make_trail(tmp.path(), 5);
  write_file(tmp.sub(file_name(6)), "");
  auto w = Writer::open(options(tmp.path()));
  ASSERT_TRUE(w.has_value()) << w.error().message;
  EXPECT_EQ((*w)->head().seq, 5u);
  EXPECT_EQ((*w)->current_file(), tmp.sub(file_name(6)));
  Record r = sample_record(5);
  ASSERT_TRUE((*w)->append(r));
  EXPECT_EQ(r.seq, 6u);
}

TEST(Writer, RefusesToContinueFromACorruptHead) {
  TempDir tmp;
  make_trail(tmp.path(), 3);
  const std::string path = tmp.sub(file_name(1));
  std::string content = read_file(path);
  content[content.size() - 20] ^= 1;  // inside the last hash
  write_file(path, content);
  auto w = Writer::open(options(tmp.path()));
  ASSERT_FALSE(w.has_value());
  EXPECT_NE(w.error().message.find("airlock audit verify"), std::string::npos) << w.error().message;
}

// An injectable disk: fails writes (optionally after writing part of the line) while full.
struct FlakyDisk {
  std::atomic<bool> full{false};
  std::atomic<bool> partial{false};
  std::atomic<bool> sync_fails{false};
  void install(WriterOptions& o) {
    o.write_fn = [this](int fd, const void* p, std::size_t n) -> ssize_t {
      if (full) {
        if (partial && n > 10) return ::write(fd, p, n / 2);  // then the next call fails
        errno = ENOSPC;
        return -1;
      }
      return ::write(fd, p, n);
    };
    o.sync_fn = [this](int fd) {
      if (sync_fails) {
        errno = EIO;
        return -1;
      }
      return ::fdatasync(fd);
    };
  }
};

TEST(Writer, DiskFullFailsEveryAppendWithTheReasonAndRecovers) {
  for (bool partial : {false, true}) {
    TempDir tmp;
    FlakyDisk disk;
    WriterOptions o = options(tmp.path());
    disk.install(o);
    auto w = Writer::open(o);
    ASSERT_TRUE(w.has_value());
    Record r = sample_record(0);
    ASSERT_TRUE((*w)->append(r));
    disk.full = true;
    disk.partial = partial;
    for (int i = 0; i < 3; ++i) {
      Record x = sample_record(1);
      auto s = (*w)->append(x);
      ASSERT_FALSE(s.has_value());
      EXPECT_EQ(s.error().message, "audit trail not writable: No space left on device");
      EXPECT_EQ(s.error().sqlstate, kDiskFull);
      EXPECT_FALSE((*w)->healthy());
    }
    EXPECT_EQ((*w)->failure(), "audit trail not writable: No space left on device");
    EXPECT_EQ((*w)->head().seq, 1u);
    disk.full = false;
    Record y = sample_record(2);
    ASSERT_TRUE((*w)->append(y)) << "recovers when space returns";
    EXPECT_TRUE((*w)->healthy());
    EXPECT_EQ(y.seq, 2u);
    w->reset();
    auto report = verify(tmp.path());
    ASSERT_TRUE(report.has_value());
    EXPECT_TRUE(report->ok) << "partial=" << partial << " " << report->where() << ": "
                            << report->reason;
    EXPECT_EQ(report->records, 2u);
  }
}

TEST(Writer, FailedFsyncUnderAlwaysTakesTheRecordBack) {
  TempDir tmp;
  FlakyDisk disk;
  WriterOptions o = options(tmp.path());
  disk.install(o);
  auto w = Writer::open(o);
  ASSERT_TRUE(w.has_value());
  Record a = sample_record(0);
  ASSERT_TRUE((*w)->append(a));
  disk.sync_fails = true;
  Record b = sample_record(1);
  auto s = (*w)->append(b);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message, "audit trail not writable: Input/output error");
  EXPECT_EQ(read_file(tmp.sub(file_name(1))), serialize(a) + "\n");
  disk.sync_fails = false;
  ASSERT_TRUE((*w)->append(b));
  EXPECT_EQ(b.seq, 2u);
}

TEST(Writer, BackgroundFsyncFailureMakesTheWriterUnhealthy) {
  TempDir tmp;
  FlakyDisk disk;
  WriterOptions o = options(tmp.path());
  o.fsync = FsyncPolicy::Interval;
  o.fsync_interval = std::chrono::milliseconds(1);
  disk.install(o);
  auto w = Writer::open(o);
  ASSERT_TRUE(w.has_value());
  disk.sync_fails = true;
  Record a = sample_record(0);
  ASSERT_TRUE((*w)->append(a));
  for (int i = 0; i < 2000 && (*w)->healthy(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_FALSE((*w)->healthy());
  Record b = sample_record(1);
  EXPECT_FALSE((*w)->append(b).has_value());
  disk.sync_fails = false;
  ASSERT_TRUE((*w)->append(b));
  EXPECT_TRUE((*w)->healthy());
}

TEST(Writer, DevFullIsReportedAsDiskFull) {
  TempDir tmp;
  // The trail's first file is /dev/full: every write(2) gets ENOSPC from the kernel.
  std::filesystem::create_symlink("/dev/full", tmp.sub(file_name(1)));
  auto w = Writer::open(options(tmp.path()));
  ASSERT_TRUE(w.has_value()) << w.error().message;
  Record r = sample_record(0);
  auto s = (*w)->append(r);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message, "audit trail not writable: No space left on device");
  EXPECT_FALSE((*w)->healthy());
  Record again = sample_record(1);
  s = (*w)->append(again);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message, "audit trail not writable: No space left on device");
}

TEST(Writer, ConcurrentAppendsFormOneChain) {
  TempDir tmp;
  WriterOptions o = options(tmp.path(), 8192);
  o.fsync = FsyncPolicy::Interval;
  o.fsync_interval = std::chrono::milliseconds(2);
  auto w = Writer::open(o);
  ASSERT_TRUE(w.has_value());
  constexpr int kThreads = 4, kEach = 250;
  std::vector<std::vector<std::uint64_t>> seqs(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          Record r = sample_record(t * kEach + i);
          if ((*w)->append(r)) seqs[t].push_back(r.seq);
        }
      });
    }
  }
  std::set<std::uint64_t> all;
  for (const auto& v : seqs) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), std::size_t{kThreads * kEach});
  ASSERT_TRUE((*w)->sync());
  w->reset();
  auto report = verify(tmp.path());
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->where() << ": " << report->reason;
  EXPECT_EQ(report->records, std::uint64_t{kThreads * kEach});
}

}  // namespace
}  // namespace airlock::audit
