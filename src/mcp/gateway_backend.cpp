#include "mcp/gateway_backend.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "audit/writer.hpp"
#include "core/intent_text.hpp"
#include "http/approval_json.hpp"
#include "policy/agent_policy.hpp"
#include "policy/object_name.hpp"
#include "proxy/guard_text.hpp"
#include "proxy/server.hpp"
#include "proxy/statement_hook.hpp"
#include "state/store.hpp"

namespace airlock::mcp {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kFront = "mcp";
constexpr std::size_t kMaxColumns = 1600;  // PostgreSQL's own limit per table

std::string pool_key(const Caller& c, bool read_only) {
  return c.agent + '\0' + c.secret_key + '\0' + (read_only ? 'r' : 'w');
}

const config::Agent* agent_of(const proxy::Server& server, const std::string& name,
                              std::shared_ptr<const proxy::Snapshot>& keep) {
  keep = const_cast<proxy::Server&>(server).services().snapshot();
  auto it = keep->config->agents.find(name);
  return it == keep->config->agents.end() ? nullptr : &it->second;
}

// "public.tickets" or "tickets" (any schema) as an agent's entry names it.
bool names_table(const policy::ObjectName& entry, const std::string& asked) {
  const auto dot = asked.find('.');
  if (dot == std::string::npos) return entry.name == policy::parse_identifier(asked);
  return entry.schema == policy::parse_identifier(asked.substr(0, dot)) &&
         entry.name == policy::parse_identifier(asked.substr(dot + 1));
}

}  // namespace

GatewayBackend::GatewayBackend(proxy::Server& server) : server_(server) {
  pools_.resize(server.io_count());
}

ToolSet GatewayBackend::tools_for(const Caller& caller) const {
  std::shared_ptr<const proxy::Snapshot> keep;
  const config::Agent* a = agent_of(server_, caller.agent, keep);
  ToolSet set;
  set.execute = a && a->policy && a->policy->may_write();
  return set;
}

void GatewayBackend::close_all(std::size_t io) {
  if (io >= pools_.size()) return;
  for (auto& [key, p] : pools_[io]) p.client->close();
  pools_[io].clear();
}

net::awaitable<Result<std::unique_ptr<LocalClient>>> GatewayBackend::acquire(const Caller& caller,
                                                                            bool read_only) {
  auto snap = server_.services().snapshot();
  sweep(caller.io);
  Pool& pool = pools_.at(caller.io);
  if (auto it = pool.find(pool_key(caller, read_only)); it != pool.end()) {
    auto client = std::move(it->second.client);
    client->generation = it->second.generation;
    pool.erase(it);
    co_return client;
  }
  auto front = std::make_shared<proxy::LocalFront>();
  front->front = kFront;
  front->client = caller.client;
  front->read_only = read_only;
  front->read_only_hint =
      "The query tool runs only statements that change nothing; use the execute tool for "
      "writes (if your policy allows them).";
  front->hold_wait = std::chrono::milliseconds(0);
  auto sock = server_.open_local(caller.io, front);
  if (!sock) co_return std::unexpected(sock.error());
  auto client = std::make_unique<LocalClient>(net::Stream(std::move(*sock)), front);
  client->generation = snap->generation;  // the session takes the same snapshot at startup
  if (auto st = co_await client->login(caller.login(), caller.secret, snap->config->limits.max_message_bytes);
      !st) {
    co_return std::unexpected(st.error());
  }
  co_return client;
}

void GatewayBackend::sweep(std::size_t io) {
  if (io >= pools_.size()) return;
  auto snap = server_.services().snapshot();
  const auto idle = snap->config->mcp.session_idle;
  const auto now = Clock::now();
  Pool& pool = pools_[io];
  for (auto it = pool.begin(); it != pool.end();) {
    if (now - it->second.last_used > idle || !it->second.client->reusable() ||
        it->second.generation != snap->generation) {
      it->second.client->close();
      it = pool.erase(it);
    } else {
      ++it;
    }
  }
}

void GatewayBackend::release(const Caller& caller, bool read_only,
                             std::unique_ptr<LocalClient> client) {
  const std::uint64_t generation = client ? client->generation : 0;
  const std::string key = pool_key(caller, read_only);
  Pool& pool = pools_.at(caller.io);
  if (!client || !client->reusable() || pool.count(key) >= kMaxPooledPerKey ||
      generation != server_.services().snapshot()->generation) {
    if (client) client->close();
    return;
  }
  pool.emplace(key, Pooled{std::move(client), Clock::now(), generation});
}

audit::Record GatewayBackend::call_record(const Caller& caller, const ToolRequest& request,
                                         const std::string& session) const {
  audit::Record r;
  r.kind = audit::kind::kCall;
  r.agent = caller.agent;
  r.token = caller.token();
  r.session = session;
  r.client = caller.client;
  r.front = kFront;
  r.tool = request.tool;
  r.request_id = request.request_id;
  r.intent = clean_intent(request.intent);
  r.statement = "tools/call " + request.tool;
  return r;
}

void GatewayBackend::append_call(audit::Record r) {
  audit::Writer* w = server_.services().audit.get();
  if (!w) return;
  if (auto st = w->append(r); !st) {
    spdlog::error("audit agent={} mcp call {}: {}", r.agent, r.tool, st.error().message);
  }
}

void GatewayBackend::audit_call(const Caller& caller, const ToolRequest& request,
                                const std::string& session) {
  append_call(call_record(caller, request, session));
}

void GatewayBackend::refused(const Caller& caller, const std::string& tool,
                             const std::string& request_id, const std::string& why) {
  audit::Writer* w = server_.services().audit.get();
  if (!w) return;
  audit::Record r;
  r.kind = audit::kind::kCall;
  r.agent = caller.agent;
  r.token = caller.token();
  r.client = caller.client;
  r.front = kFront;
  r.tool = tool.substr(0, 128);
  r.request_id = request_id.substr(0, 256);
  r.statement = "tools/call " + r.tool;
  r.decision = "deny";
  r.rule = "mcp.arguments";
  r.reason = why.substr(0, 1024);
  if (auto st = w->append(r); !st) {
    spdlog::error("audit agent={} mcp call {}: {}", caller.agent, r.tool, st.error().message);
  }
}

net::awaitable<ToolResult> GatewayBackend::call(const Caller& caller, const ToolRequest& request) {
  const std::string& t = request.tool;
  if (t == tool::kQuery) co_return co_await run_sql(caller, request, request.sql, true, true);
  if (t == tool::kExecute) co_return co_await run_sql(caller, request, request.sql, false, false);
  if (t == tool::kExplain) {
    // Planned, never run: with the option list first, text that would make it EXPLAIN
    // ANALYZE ("ANALYZE DELETE ...", "(ANALYZE) ...") is a syntax error. An agent that may
    // write explains in its read-write session (what it could run through execute anyway,
    // judged as on the wire); any other in its read-only one, where only a SELECT that
    // would pass the query tool is explained (planning runs immutable functions).
    const bool read_only = !tools_for(caller).execute;
    co_return co_await run_sql(caller, request, "EXPLAIN (ANALYZE false) " + request.sql,
                               read_only, true);
  }
  if (t == tool::kCheck) co_return co_await check(caller, request);
  if (t == tool::kDescribeTable) co_return co_await describe_table(caller, request);
  // Their call records carry the request id (gateway_access.cpp).
  if (t == tool::kRequestAccess) co_return request_access(caller, request);
  if (t == tool::kAccessStatus) co_return access_status(caller, request);
  audit_call(caller, request, {});
  if (t == tool::kListTables) co_return list_tables(caller);
  if (t == tool::kApprovalStatus) co_return approval_status(caller, request);
  co_return tool_error("airlock: unknown tool " + t);
}

net::awaitable<ToolResult> GatewayBackend::run_sql(const Caller& caller, const ToolRequest& request,
                                                   const std::string& sql, bool read_only,
                                                   bool limit_rows, std::size_t max_rows) {
  if (!read_only && !tools_for(caller).execute) {
    audit_call(caller, request, {});
    co_return tool_error("airlock: the execute tool is not available to agent " + caller.agent +
                             ": its policy allows no writes [mcp.tool]",
                         "Use the query tool for statements that change nothing.");
  }
  auto client = co_await acquire(caller, read_only);
  if (!client) {
    audit_call(caller, request, {});
    co_return tool_error("airlock: " + client.error().message, {}, client.error().sqlstate);
  }
  LocalClient& c = **client;
  c.front().approval_id.clear();
  c.front().intent = clean_intent(request.intent);
  audit_call(caller, request, c.front().session_id);
  auto snap = server_.services().snapshot();
  RunLimits limits;
  limits.max_rows = max_rows > 0 ? max_rows : snap->config->mcp.max_rows;
  limits.max_result_bytes = snap->config->mcp.max_result_bytes;
  limits.limit_rows = limit_rows;
  auto result = co_await c.run(sql, request.params, limits);
  if (!result) {
    c.close();
    co_return tool_error("airlock: " + result.error().message, {}, result.error().sqlstate);
  }
  if (result->is_error && !c.front().approval_id.empty() &&
      result->message.find(c.front().approval_id) != std::string::npos) {
    result->approval_id = c.front().approval_id;
  }
  release(caller, read_only, std::move(*client));
  co_return std::move(*result);
}

net::awaitable<ToolResult> GatewayBackend::check(const Caller& caller, const ToolRequest& request) {
  auto client = co_await acquire(caller, false);
  if (!client) {
    audit_call(caller, request, {});
    co_return tool_error("airlock: " + client.error().message, {}, client.error().sqlstate);
  }
  LocalClient& c = **client;
  audit_call(caller, request, c.front().session_id);
  proxy::StatementHook* hook = c.front().hook;
  if (!hook) co_return tool_error("airlock: the gateway session ended", {}, "08006");
  const std::string intent = clean_intent(request.intent);
  proxy::StatementEvent ev;
  ev.agent = caller.agent;
  ev.sql = request.sql;
  ev.session_intent = intent;  // judged as if the call ran it
  const proxy::Verdict v = hook->on_statement(ev);
  json out;
  std::string rule = v.info ? v.info->rule : std::string();
  if (!v.forward) {
    out["verdict"] = "deny";
    out["rule"] = rule;
    out["reason"] = v.error.message;
    out["hint"] = v.hint;
  } else if (v.hold) {
    out["verdict"] = "hold";
    out["rule"] = v.hold->rule;
    out["reason"] = v.hold->reason;
    out["hint"] = "Runs once a human approves it (airlock approvals approve ID).";
  } else if (v.guard) {
    out["verdict"] = "guard";
    out["rule"] = v.guard->rule.empty() ? rule : v.guard->rule;
    out["reason"] = "runs under the row guard";
    out["hint"] = "";
  } else {
    out["verdict"] = "allow";
    out["rule"] = rule;
    out["reason"] = "";
    out["hint"] = "";
  }
  if (v.guard && v.guard->row_limit) out["row_limit"] = *v.guard->row_limit;
  else out["row_limit"] = nullptr;
  json masked = json::array();
  if (v.mask) {
    for (const auto& s : v.mask->statements) {
      for (const auto& col : s.columns) {
        if (col.position < s.names.size()) masked.push_back(s.names[col.position]);
      }
    }
  }
  out["masked_columns"] = std::move(masked);
  release(caller, false, std::move(*client));
  ToolResult r;
  r.json = out.dump(-1, ' ', false, json::error_handler_t::replace);
  co_return r;
}

ToolResult GatewayBackend::list_tables(const Caller& caller) const {
  std::shared_ptr<const proxy::Snapshot> keep;
  const config::Agent* a = agent_of(server_, caller.agent, keep);
  struct Table {
    std::set<std::string> actions, approval, masked, denied;
    std::optional<std::uint64_t> max_rows;
  };
  std::map<std::string, Table> tables;
  if (a && a->policy) {
    for (const auto& e : a->policy->entries()) {
      for (const auto& n : e.tables) {
        Table& t = tables[policy::display(n)];
        for (unsigned bit = 0; bit <= static_cast<unsigned>(policy::Action::Copy); ++bit) {
          if ((e.actions >> bit) & 1u) {
            (e.is_hold ? t.approval : t.actions)
                .insert(std::string(policy::to_string(static_cast<policy::Action>(bit))));
          }
        }
        for (const auto& m : e.mask) t.masked.insert(m.column);
        for (const auto& d : e.deny_columns) t.denied.insert(d);
        // A row limit bounds the writes of its entry; reads have none.
        const bool writes = (e.actions & ~(1u << static_cast<unsigned>(policy::Action::Select))) != 0;
        if (e.max_rows && writes) {
          t.max_rows = t.max_rows ? std::min(*t.max_rows, *e.max_rows) : *e.max_rows;
        }
      }
    }
  }
  json list = json::array();
  for (const auto& [name, t] : tables) {
    json j;
    j["table"] = name;
    j["actions"] = t.actions;
    j["actions_needing_approval"] = t.approval;
    j["masked_columns"] = t.masked;
    j["denied_columns"] = t.denied;
    j["max_rows"] = t.max_rows ? json(*t.max_rows) : json(nullptr);
    list.push_back(std::move(j));
  }
  ToolResult r;
  r.json = json{{"tables", std::move(list)}}.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

net::awaitable<ToolResult> GatewayBackend::describe_table(const Caller& caller,
                                                          const ToolRequest& request) {
  std::shared_ptr<const proxy::Snapshot> keep;
  const config::Agent* a = agent_of(server_, caller.agent, keep);
  std::optional<policy::ObjectName> found;
  std::set<std::string> masked, denied;
  if (a && a->policy) {
    for (const auto& e : a->policy->entries()) {
      for (const auto& n : e.tables) {
        if (!names_table(n, request.table)) continue;
        if (found && !(*found == n)) continue;  // the first table the name matches
        found = n;
        for (const auto& m : e.mask) masked.insert(m.column);
        for (const auto& d : e.deny_columns) denied.insert(d);
      }
    }
  }
  if (!found) {
    audit_call(caller, request, {});
    co_return tool_error("airlock: table " + request.table + " is not in agent " + caller.agent +
                             "'s policy [mcp.describe_table]",
                         "Call list_tables for the tables you may use.");
  }
  // The columns as the server knows them, read through the agent's own read-only session
  // (catalog reads are what the policy allows every agent).
  ToolRequest inner = request;
  inner.params = {policy::display(*found)};
  ToolResult cols = co_await run_sql(
      caller, inner,
      "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod) "
      "FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::pg_catalog.regclass "
      "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      true, false, kMaxColumns);
  if (cols.is_error) co_return cols;
  json columns = json::array();
  for (const auto& row : cols.rows) {
    if (row.size() < 2 || !row[0]) continue;
    json c;
    c["name"] = *row[0];
    c["type"] = row[1] ? *row[1] : "";
    c["masked"] = masked.contains(*row[0]);
    c["denied"] = denied.contains(*row[0]);
    columns.push_back(std::move(c));
  }
  ToolResult r;
  r.json = json{{"table", policy::display(*found)}, {"columns", std::move(columns)}}.dump(-1, ' ', false, json::error_handler_t::replace);
  co_return r;
}

ToolResult GatewayBackend::approval_status(const Caller& caller, const ToolRequest& request) const {
  state::Store* store = server_.services().store.get();
  if (!store) return tool_error("airlock: no state store is configured (state.path)", {}, "55000");
  auto got = store->get_approval(request.id, proxy::now_ms());
  if (!got || !*got || (*got)->agent != caller.agent) {
    return tool_error("airlock: no approval request " + request.id + " of agent " + caller.agent,
                      {}, "42704");
  }
  ToolResult r;
  r.json = http::approval_json(**got);
  return r;
}

}  // namespace airlock::mcp
