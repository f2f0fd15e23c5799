// Dispatcher end to end, without sockets: a fake Backend, a local io_context.
#include "mcp/dispatch.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace airlock::mcp {
namespace {

using nlohmann::json;

class FakeBackend : public Backend {
 public:
  bool execute = false;
  bool throws = false;
  ToolResult next;
  std::vector<ToolRequest> calls;

  ToolSet tools_for(const Caller&) const override { return ToolSet{.execute = execute}; }
  net::awaitable<ToolResult> call(const Caller&, const ToolRequest& request) override {
    calls.push_back(request);
    if (throws) throw std::runtime_error("boom");
    co_return next;
  }
};

struct Fixture : ::testing::Test {
  FakeBackend backend;
  Dispatcher dispatcher{backend, DispatchOptions{.version = "1.2.3",
                                                 .boundary = [] { return std::string("B"); }}};
  Caller caller{"agent1", "k", "127.0.0.1:1"};

  Reply post(std::string body, HttpMeta http = {}) {
    if (!http.content_type) http.content_type = "application/json";
    net::asio::io_context io;
    Reply reply;
    net::asio::co_spawn(io, dispatcher.handle(caller, http, body),
                        [&](std::exception_ptr e, Reply r) {
                          ASSERT_FALSE(e);
                          reply = std::move(r);
                        });
    io.run();
    return reply;
  }
  static json parsed(const Reply& r) { return json::parse(r.body); }
};

HttpMeta modern_headers(const char* method, std::optional<std::string> name = std::nullopt) {
  HttpMeta h;
  h.protocol_version = "2026-07-28";
  h.method = method;
  h.name = std::move(name);
  return h;
}

std::string modern_body(const char* method, const std::string& params_extra = "") {
  return std::string(R"({"jsonrpc":"2.0","id":"m1","method":")") + method +
         R"(","params":{)" + params_extra +
         R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
         R"("io.modelcontextprotocol/clientCapabilities":{}}}})";
}

TEST_F(Fixture, LegacyInitializeNegotiates) {
  const Reply r = post(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}})");
  EXPECT_EQ(r.status, 200);
  const json j = parsed(r);
  EXPECT_EQ(j["id"], 0);
  EXPECT_EQ(j["result"]["protocolVersion"], "2025-06-18");
  EXPECT_EQ(j["result"]["serverInfo"], json::parse(R"({"name":"airlock","version":"1.2.3"})"));
  EXPECT_EQ(j["result"]["capabilities"]["tools"]["listChanged"], false);
  EXPECT_TRUE(j["result"]["instructions"].is_string());
}

TEST_F(Fixture, LegacyInitializeWithUnknownVersionGetsOurLatest) {
  const json j = parsed(post(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2024-11-05"}})"));
  EXPECT_EQ(j["result"]["protocolVersion"], "2025-11-25");
}

TEST_F(Fixture, NotificationsAndResponsesAre202WithoutBody) {
  for (const char* body : {R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                           R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{}})",
                           R"({"jsonrpc":"2.0","id":5,"result":{}})"}) {
    const Reply r = post(body);
    EXPECT_EQ(r.status, 202) << body;
    EXPECT_TRUE(r.body.empty());
  }
}

TEST_F(Fixture, PingAndUnknownMethod) {
  EXPECT_EQ(parsed(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})"))["result"], json::object());
  const Reply r = post(R"({"jsonrpc":"2.0","id":2,"method":"resources/list"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(parsed(r)["error"]["code"], -32601);
}

TEST_F(Fixture, MalformedBodiesAre400) {
  const Reply a = post("not json");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(parsed(a)["error"]["code"], -32700);
  EXPECT_TRUE(parsed(a).at("id").is_null());
  const Reply b = post(R"([{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"select 1"}}}])");
  EXPECT_EQ(b.status, 400);
  EXPECT_EQ(parsed(b)["error"]["message"], "batches are not supported");
  EXPECT_TRUE(backend.calls.empty());
}

TEST_F(Fixture, MediaTypes) {
  HttpMeta h;
  h.content_type = "text/plain";
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", h).status, 415);
  h.content_type = "application/json; charset=utf-8";
  h.accept = "text/html";
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", h).status, 406);
  h.accept = "application/json, text/event-stream";
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", h).status, 200);
}

TEST_F(Fixture, ToolsListFollowsTheToolSet) {
  auto names = [&] {
    std::string out;
    const json j = parsed(
        post(R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"x"}})"));
    for (const auto& t : j["result"]["tools"]) out += t["name"].get<std::string>() + " ";
    return out;
  };
  EXPECT_EQ(names().find("execute"), std::string::npos);
  backend.execute = true;
  EXPECT_NE(names().find("execute"), std::string::npos);
}

TEST_F(Fixture, ToolsCallRunsTheBackendAndShapes) {
  backend.next.columns = {{"n", "int4"}};
  backend.next.rows = {{"1"}};
  const json j = parsed(post(
      R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"query","arguments":{"sql":"select 1 as n","params":[1]}}})"));
  ASSERT_EQ(backend.calls.size(), 1u);
  EXPECT_EQ(backend.calls[0].sql, "select 1 as n");
  EXPECT_EQ(backend.calls[0].request_id, "9");
  EXPECT_EQ(j["result"]["structuredContent"]["rows"], json::parse(R"([["1"]])"));
  EXPECT_NE(j["result"]["content"][0]["text"].get<std::string>().find("<untrusted-data-B>"),
            std::string::npos);
  EXPECT_FALSE(j["result"].contains("resultType"));  // legacy results stay as they were
}

TEST_F(Fixture, InvalidArgumentsAreJsonRpcErrorsAndReachNoBackend) {
  const Reply r = post(
      R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"query","arguments":{"sql":"x","params":[{"a":1}]}}})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(parsed(r)["error"]["code"], -32602);
  const Reply u = post(
      R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"execute","arguments":{"sql":"x"}}})");
  EXPECT_EQ(parsed(u)["error"]["message"], "Unknown tool: \"execute\"");
  EXPECT_TRUE(backend.calls.empty());
}

TEST_F(Fixture, BackendExceptionBecomesAnInternalErrorResult) {
  backend.throws = true;
  const Reply r = post(
      R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"list_tables"}})");
  EXPECT_EQ(r.status, 200);
  const json j = parsed(r);
  EXPECT_EQ(j["result"]["isError"], true);
  EXPECT_EQ(j["result"]["content"][0]["text"], "airlock: internal error");
}

TEST_F(Fixture, ModernDiscover) {
  const Reply r = post(modern_body("server/discover"), modern_headers("server/discover"));
  EXPECT_EQ(r.status, 200);
  const json res = parsed(r)["result"];
  EXPECT_EQ(res["resultType"], "complete");
  EXPECT_EQ(res["supportedVersions"][0], "2026-07-28");
  EXPECT_TRUE(res["capabilities"].contains("tools"));
  EXPECT_EQ(res["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "airlock");
  EXPECT_TRUE(res["ttlMs"].is_number_integer());
  EXPECT_EQ(res["cacheScope"], "public");
}

TEST_F(Fixture, ModernToolsListIsCacheablePrivately) {
  const json res = parsed(post(modern_body("tools/list"), modern_headers("tools/list")))["result"];
  EXPECT_EQ(res["resultType"], "complete");
  EXPECT_EQ(res["cacheScope"], "private");
  EXPECT_EQ(res["tools"].size(), 8u);  // no execute for this caller
}

TEST_F(Fixture, ModernToolsCall) {
  backend.next.json = R"({"tables":[]})";
  const Reply r = post(modern_body("tools/call", R"("name":"list_tables","arguments":{},)"),
                       modern_headers("tools/call", "list_tables"));
  EXPECT_EQ(r.status, 200);
  const json res = parsed(r)["result"];
  EXPECT_EQ(res["resultType"], "complete");
  EXPECT_EQ(res["structuredContent"], json::parse(R"({"tables":[]})"));
  EXPECT_EQ(res["_meta"]["io.modelcontextprotocol/serverInfo"]["version"], "1.2.3");
}

TEST_F(Fixture, ModernUnknownMethodsAre404) {
  for (const char* method : {"ping", "initialize", "resources/list"}) {
    const Reply r = post(modern_body(method), modern_headers(method));
    EXPECT_EQ(r.status, 404) << method;
    EXPECT_EQ(parsed(r)["error"]["code"], -32601) << method;
    EXPECT_EQ(parsed(r)["id"], "m1");
  }
}

TEST_F(Fixture, ModernHeaderMismatchIs400AndRunsNothing) {
  const Reply r = post(modern_body("tools/call", R"("name":"execute","arguments":{"sql":"x"},)"),
                       modern_headers("tools/call", "query"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parsed(r)["error"]["code"], -32020);
  EXPECT_TRUE(backend.calls.empty());
}

}  // namespace
}  // namespace airlock::mcp
