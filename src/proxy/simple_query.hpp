#pragma once
// Runs one simple-protocol Query on an upstream connection that Airlock owns (not a relayed
// session) and collects its results as text. For catalog reads at start and reload.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "net/asio.hpp"
#include "proxy/upstream_login.hpp"

namespace airlock::proxy {

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::string command_tag;
};

// One QueryResult per statement in `sql`. An ErrorResponse becomes an error carrying the
// server's SQLSTATE and message; the connection stays usable after it.
net::awaitable<Result<std::vector<QueryResult>>> run_simple_query(UpstreamConn& conn,
                                                                  std::string sql,
                                                                  std::size_t max_message_bytes);

}  // namespace airlock::proxy
