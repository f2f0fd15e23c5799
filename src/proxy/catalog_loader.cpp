#include "proxy/catalog_loader.hpp"

#include "protocol/frontend.hpp"
#include "proxy/simple_query.hpp"
#include "proxy/upstream_login.hpp"
#include "sql/catalog_sources.hpp"

namespace airlock::proxy {

net::awaitable<Result<std::shared_ptr<const sql::Catalog>>> load_catalog(const Snapshot& snap) {
  const auto& cfg = *snap.config;
  UpstreamLoginInput in;
  in.upstream = &cfg.upstream;
  in.settings = {{"application_name", "airlock catalog"},
                 {"client_encoding", "UTF8"},
                 {"standard_conforming_strings", "on"},
                 {"default_transaction_read_only", "on"}};
  in.tls = snap.upstream_tls.get();
  in.timeout = cfg.timeouts.connect;
  in.max_message_bytes = cfg.limits.max_message_bytes;
  auto conn = co_await upstream_login(std::move(in));
  if (!conn) co_return std::unexpected(conn.error());
  auto results = co_await run_simple_query(*conn, std::string(sql::catalog_query_sql()),
                                           cfg.limits.max_message_bytes);
  std::string bye;
  protocol::append_terminate(bye);
  co_await conn->stream->write_all(net::asio::buffer(bye));
  conn->stream->close();
  if (!results) co_return std::unexpected(results.error());
  if (results->empty()) co_return fail(sqlstate::kInternalError, "catalog query returned nothing");
  auto catalog = sql::catalog_from_rows(results->front().rows);
  if (!catalog) co_return std::unexpected(catalog.error());
  co_return std::make_shared<const sql::Catalog>(std::move(*catalog));
}

}  // namespace airlock::proxy
