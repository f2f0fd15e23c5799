#pragma once
// The client messages names_differential sends, as a one-line script that a run prints and
// --replay reads back. One op per ';'-separated item; `_` is the unnamed statement or portal.
//   P <stmt> <text>        Parse; text: sel div fail err sp rb begin commit
//   B <portal> <stmt>      Bind (sent only when the model knows <stmt>)
//   E <portal> <max_rows>  Execute (sent only when the model knows <portal>)
//   D S|P <name>           Describe          C S|P <name>   Close
//   H                      Flush, then read every answer it releases
//   S                      Sync              R              read every answer still due
//   Q <sql> [name]         simple Query; sql: prepare dealloc dealloc_all exec begin commit
//                          rollback savepoint rollback_to div discard declare close empty err
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::differential {

enum class OpKind : std::uint8_t {
  Parse,
  Bind,
  Describe,
  Execute,
  Close,
  Flush,
  Sync,
  Query,
  Drain
};

// Parse texts. Each Parse gets a fresh id, so two Parses never share a value.
enum class Text : std::uint8_t { Sel, Div, Fail, Err, Savepoint, RollbackTo, Begin, Commit };

// Simple-Query statements.
enum class Sql : std::uint8_t {
  Prepare,
  Dealloc,
  DeallocAll,
  Exec,
  Begin,
  Commit,
  Rollback,
  Savepoint,
  RollbackTo,
  Div,
  Discard,
  Declare,
  CloseCursor,
  Empty,
  Err
};

struct Op {
  OpKind kind = OpKind::Sync;
  char target = 'S';  // Describe, Close: 'S' or 'P'
  std::string name;   // statement (Parse), portal (Bind, Execute), target, or Query's name
  std::string stmt;   // Bind: the statement
  Text text = Text::Sel;
  Sql sql = Sql::Begin;
  std::int32_t max_rows = 0;
};

std::string format_op(const Op& op);
std::string format_script(const std::vector<Op>& ops);
std::optional<std::vector<Op>> parse_script(std::string_view script, std::string& error);

// SplitMix64: the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
  bool chance(std::uint32_t percent) { return below(100) < percent; }
  // An index drawn with the given weights.
  template <std::size_t N>
  std::size_t pick(const std::uint32_t (&weights)[N]) {
    std::uint32_t total = 0;
    for (auto w : weights) total += w;
    std::uint32_t x = below(total);
    for (std::size_t i = 0; i < N; ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return N - 1;
  }

 private:
  std::uint64_t s_;
};

}  // namespace airlock::differential
