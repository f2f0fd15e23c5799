#pragma once
// Reads the upstream database's catalog (schemas, relations with columns, functions with
// volatility) with Airlock's own role, for name resolution and `*` expansion in analysis.
#include <memory>

#include "core/error.hpp"
#include "net/asio.hpp"
#include "proxy/services.hpp"
#include "sql/catalog.hpp"

namespace airlock::proxy {

net::awaitable<Result<std::shared_ptr<const sql::Catalog>>> load_catalog(const Snapshot& snap);

}  // namespace airlock::proxy
