#pragma once
// The embedded state store: one SQLite file in WAL mode, shared by the gateway and the
// approvals CLI (another process) through SQLite's file locks. Every read-modify-write runs
// in one BEGIN IMMEDIATE transaction, so a decision, a consumption or a budget charge is
// atomic across threads, connections and processes.
#include <chrono>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "state/store.hpp"

namespace airlock::state {

struct SqliteOptions {
  // false: the file must exist already. The CLI sets it: a mistyped path should be an error,
  // and a file created by another OS user than the gateway's would lock the gateway out.
  bool create = true;
  // How long a call waits for another connection's write lock before failing.
  std::chrono::milliseconds busy_timeout{5'000};
};

// Opens the file (created with mode 0600 when missing and options.create), switches it to
// WAL and creates or checks the schema. Errors name the file and carry SQLite's message.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const SqliteOptions& options = {});

}  // namespace airlock::state
