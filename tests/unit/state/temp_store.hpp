#pragma once
// A fresh directory per test and stores opened on a file in it; the clock is explicit.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "state/sqlite_store.hpp"

namespace airlock::state::testing {

class TempDir {
 public:
  TempDir() {
    auto base = std::filesystem::temp_directory_path() / "airlock-state-XXXXXX";
    std::string pattern = base.string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<Store> open_or_die(const std::string& path) {
  auto store = open_sqlite_store(path);
  EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().message);
  return store ? std::move(*store) : nullptr;
}

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

inline Approval request(std::string agent = "bot", std::string hash = "h1",
                        std::int64_t created = kT0, std::int64_t ttl = kHour) {
  Approval a;
  a.agent = std::move(agent);
  a.statement_hash = std::move(hash);
  a.sql = "UPDATE public.subscriptions SET plan = $1 WHERE id = $2";
  a.params = R"(["gold", 7])";
  a.rows = 1;
  a.rule = "bot.hold[0]";
  a.reason = "subscription changes need a human";
  a.created_ms = created;
  a.expires_ms = created + ttl;
  return a;
}

}  // namespace airlock::state::testing
