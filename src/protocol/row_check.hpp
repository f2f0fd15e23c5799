#pragma once
// The check of every DataRow a proxy relays from the server (a broken or hostile server must
// not reach the client through it): which RowDescription is in effect for each row, and the
// row checked against it. Sans-I/O: the owner tells it the client's messages as they go
// upstream and hands it each server message before relaying it.
//
// Every DataRow must be well formed (check_data_row in rows.hpp): count >= 0, each length -1
// or within the message, no byte left over. Its count of values must also equal the count of
// the RowDescription in effect when that RowDescription is known for sure
// (protocol-flow.html):
// - a simple Query: each of its results that returns rows starts with its own RowDescription;
// - an Execute sent right after a Describe of the same portal (a Flush between them aside):
//   the Describe's answer, RowDescription or NoData, is the last thing the server sends before
//   the Execute's rows. libpq's PQsendQueryParams and PQsendQueryPrepared (so psycopg and
//   pgbench), node-postgres and Airlock's MCP front send this.
// Anywhere else the count is not known for sure, and only the row's own form is checked: an
// Execute with no Describe in its batch (its statement was described in an earlier one, if
// at all), a Describe of portal A followed by an Execute of portal B, a Describe of the
// statement, the rows of statements Airlock runs itself (foreign()).
//
// Answers are matched to Query and Execute messages by the owner's counters, as for result
// masking: the sync batch a message belongs to (Query and Sync messages forwarded before it)
// and, for an Execute, its result's index in that batch (results end with CommandComplete,
// EmptyQueryResponse or PortalSuspended; after an ErrorResponse the server skips the rest of
// the batch).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/frame.hpp"
#include "protocol/rows.hpp"

namespace airlock::protocol {

struct RowVerdict {
  RowFault fault = RowFault::None;
  int expected = -1;  // CountMismatch: the RowDescription's count
};

class RowCheck {
 public:
  // --- client messages, in the order they go upstream ---
  // A simple Query forwarded as sync batch `batch`.
  void query(std::uint64_t batch);
  // Every other client message. `batch`: the sync batch it belongs to; `result`: the index an
  // Execute's result will have among that batch's results.
  void client(const Frame& f, std::uint64_t batch, std::size_t result);

  // --- server messages, before they are relayed, in order ---
  // `batch`: the sync batch being answered; `result`: the results it has completed so far.
  // The fault of a DataRow; None for every other message.
  RowVerdict answer(const Frame& f, std::uint64_t batch, std::size_t result);
  // A message answering a statement Airlock runs itself (the row guard's): a DataRow's own
  // form is checked; what was known about the RowDescription in effect is forgotten.
  RowVerdict foreign(const Frame& f);

 private:
  // A result whose RowDescription is known for sure: every result of a Query (`whole`), or
  // the result of an Execute right after a Describe of its portal.
  struct Sure {
    std::uint64_t batch;
    std::size_t result;
    bool whole;
  };
  bool sure(std::uint64_t batch, std::size_t result);
  void drop_answered(std::uint64_t batch, std::size_t result);
  void push(Sure s);
  void forget() {
    width_ = -1;
    expected_ = kNotLooked;
  }

  // Client side: the last message was a Describe of portal described_portal_.
  bool described_last_ = false;
  std::string described_portal_;
  std::vector<Sure> sure_;  // in the order sent; sure_[head_] is the oldest not yet answered
  std::size_t head_ = 0;
  // Server side: the count of the last RowDescription since the last result ended; -1 none.
  int width_ = -1;
  // The count the rows of the current result must have (-1: not known for sure), once the
  // first of them has looked it up.
  static constexpr int kNotLooked = -2;
  int expected_ = kNotLooked;
};

}  // namespace airlock::protocol
