#pragma once
// RAII for one libpg_query raw parse: the memory context every node lives in, and the
// result with its malloc'ed error and stderr buffer. Declare the context first: nodes stay
// valid until it is destroyed.
#include <cstdlib>

#include "sql/pg/pg_nodes.hpp"

namespace airlock::sql::pg {

// pg_query_enter_memory_context() creates a child of libpg_query's (thread-local) top
// context; every parse node lives there until pg_query_exit_memory_context() deletes it.
class ParseContext {
 public:
  ParseContext() : ctx_(pg_query_enter_memory_context()) {}
  ~ParseContext() { pg_query_exit_memory_context(ctx_); }
  ParseContext(const ParseContext&) = delete;
  ParseContext& operator=(const ParseContext&) = delete;

 private:
  MemoryContext ctx_;
};

class RawResult {
 public:
  explicit RawResult(const char* sql) : r_(pg_query_raw_parse(sql)) {}
  ~RawResult() {
    if (r_.error != nullptr) pg_query_free_error(r_.error);
    std::free(r_.stderr_buffer);
  }
  RawResult(const RawResult&) = delete;
  RawResult& operator=(const RawResult&) = delete;
  const PgQueryInternalParsetreeAndError& get() const { return r_; }

 private:
  PgQueryInternalParsetreeAndError r_;
};

}  // namespace airlock::sql::pg
