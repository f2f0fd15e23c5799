// The pure half of `airlock mcp stdio`: headers derived from a message, SSE data, line
// reading, and how HTTP answers become lines for the client.
#include "mcp/stdio_messages.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <variant>

#include "mcp/era.hpp"
#include "mcp/header_value.hpp"
#include "mcp/jsonrpc.hpp"

namespace airlock::mcp::stdio {
namespace {

using nlohmann::json;

constexpr const char* kModernMeta =
    R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
    R"("io.modelcontextprotocol/clientCapabilities":{}})";

std::string modern(const std::string& method, const std::string& params_before_meta = "") {
  return R"({"jsonrpc":"2.0","id":7,"method":")" + method + R"(","params":{)" + params_before_meta +
         kModernMeta + "}}";
}

TEST(StdioInspect, Kinds) {
  auto r = inspect(R"({"jsonrpc":"2.0","id":"a","method":"ping"})");
  EXPECT_TRUE(r.parsed);
  EXPECT_TRUE(r.expects_answer);
  EXPECT_EQ(r.id, json("a"));
  EXPECT_EQ(r.method, "ping");

  auto n = inspect(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_TRUE(n.parsed);
  EXPECT_FALSE(n.expects_answer);

  auto resp = inspect(R"({"jsonrpc":"2.0","id":3,"result":{}})");
  EXPECT_TRUE(resp.parsed);
  EXPECT_FALSE(resp.expects_answer);

  auto bad = inspect("not json");
  EXPECT_FALSE(bad.parsed);
  EXPECT_FALSE(bad.expects_answer);

  auto deep = inspect(std::string(1000, '[') + std::string(1000, ']'));
  EXPECT_FALSE(deep.parsed);
}

TEST(StdioHeaders, LegacyBeforeAndAfterInitialize) {
  const auto init = inspect(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})");
  auto h = mcp_headers(init, std::nullopt);
  EXPECT_FALSE(h.protocol_version);
  EXPECT_FALSE(h.method);
  EXPECT_FALSE(h.name);
  // A second initialize does not carry the version of the first.
  EXPECT_FALSE(mcp_headers(init, "2025-06-18").protocol_version);

  const auto call = inspect(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{}}})");
  EXPECT_FALSE(mcp_headers(call, std::nullopt).protocol_version);
  h = mcp_headers(call, "2025-06-18");
  EXPECT_EQ(h.protocol_version, "2025-06-18");
  EXPECT_FALSE(h.method);  // legacy: no Mcp-Method / Mcp-Name
  EXPECT_FALSE(h.name);

  const auto initialized = inspect(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_EQ(mcp_headers(initialized, "2025-11-25").protocol_version, "2025-11-25");
}

TEST(StdioHeaders, Modern) {
  const auto discover = inspect(modern("server/discover"));
  auto h = mcp_headers(discover, std::nullopt);
  EXPECT_EQ(h.protocol_version, "2026-07-28");
  EXPECT_EQ(h.method, "server/discover");
  EXPECT_FALSE(h.name);

  // The body's version wins over one negotiated earlier.
  const auto call =
      inspect(modern("tools/call", R"("name":"query","arguments":{"sql":"select 1"},)"));
  h = mcp_headers(call, "2025-11-25");
  EXPECT_EQ(h.protocol_version, "2026-07-28");
  EXPECT_EQ(h.method, "tools/call");
  EXPECT_EQ(h.name, "query");

  EXPECT_EQ(mcp_headers(inspect(modern("resources/read", R"("uri":"file:///x",)")), {}).name,
            "file:///x");
  EXPECT_EQ(mcp_headers(inspect(modern("prompts/get", R"("name":"p",)")), {}).name, "p");
  EXPECT_EQ(mcp_headers(inspect(modern("tasks/get", R"("taskId":"t1",)")), {}).name, "t1");
  EXPECT_FALSE(mcp_headers(inspect(modern("tools/list")), {}).name);
}

// What the bridge derives is what the server's era check accepts.
TEST(StdioHeaders, AcceptedByTheServer) {
  for (const std::string& line :
       {modern("tools/call", R"("name":"query","arguments":{},)"),
        modern("tools/call", R"("name":" spaced ","arguments":{},)"),
        modern("tools/call", "\"name\":\"t\xc3\xa9st\",\"arguments\":{},"), modern("tools/list"),
        modern("server/discover")}) {
    const auto message = inspect(line);
    const auto h = mcp_headers(message, std::nullopt);
    HttpMeta http;
    http.protocol_version = h.protocol_version;
    http.method = h.method;
    http.name = h.name;
    const auto decoded = jsonrpc::decode(line);
    ASSERT_TRUE(std::holds_alternative<jsonrpc::Message>(decoded)) << line;
    const Era era = classify_era(http, std::get<jsonrpc::Message>(decoded));
    EXPECT_TRUE(std::holds_alternative<ModernEra>(era)) << line;
  }
  const std::string legacy =
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query"}})";
  const auto h = mcp_headers(inspect(legacy), "2025-11-25");
  HttpMeta http;
  http.protocol_version = h.protocol_version;
  const Era era = classify_era(http, std::get<jsonrpc::Message>(jsonrpc::decode(legacy)));
  EXPECT_TRUE(std::holds_alternative<LegacyEra>(era));
}

TEST(StdioHeaders, ValueEncodingRoundTrips) {
  EXPECT_EQ(encode_header_value("query"), "query");
  EXPECT_EQ(encode_header_value("a b"), "a b");
  for (const std::string v :
       {" edge", "edge ", "t\xc3\xa9st", "line\nbreak", "=?base64?x?=", "", "ab", "abc", "abcd"}) {
    const std::string encoded = encode_header_value(v);
    EXPECT_TRUE(plain_header_value(encoded)) << v;
    EXPECT_EQ(decode_header_value(encoded), v) << v << " -> " << encoded;
  }
  EXPECT_EQ(encode_header_value("t\xc3\xa9st"), "=?base64?dMOpc3Q=?=");
}

TEST(StdioNegotiated, FromInitializeResult) {
  EXPECT_EQ(
      negotiated_version(
          R"({"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{}}})"),
      "2025-06-18");
  EXPECT_FALSE(negotiated_version(R"({"jsonrpc":"2.0","id":0,"error":{"code":-1,"message":"x"}})"));
  EXPECT_FALSE(negotiated_version(R"({"jsonrpc":"2.0","id":0,"result":{"protocolVersion":3}})"));
  EXPECT_FALSE(negotiated_version("nope"));
}

TEST(StdioSse, DataOfEachEvent) {
  const auto events = sse_data(
      ": comment\n"
      "event: message\nid: 1\ndata: {\"a\":1}\n\n"
      "data:{\"b\":\r\ndata: 2}\r\n\r\n"
      "retry: 100\n\n"     // no data: skipped
      "data: {\"c\":3}");  // unterminated: still counts
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], R"({"a":1})");
  EXPECT_EQ(events[1], "{\"b\":\n2}");
  EXPECT_EQ(events[2], R"({"c":3})");
  EXPECT_EQ(one_line(events[1]), R"({"b": 2})");
  EXPECT_TRUE(sse_data("").empty());
}

TEST(StdioReadLine, BoundsAndEnds) {
  std::istringstream in("first\r\n\nsecond\n" + std::string(200'000, 'x') + "\nlast");
  std::string line;
  EXPECT_EQ(read_line(in, line, 100'000), LineRead::Line);
  EXPECT_EQ(line, "first");
  EXPECT_EQ(read_line(in, line, 100'000), LineRead::Line);
  EXPECT_EQ(line, "");
  EXPECT_EQ(read_line(in, line, 100'000), LineRead::Line);
  EXPECT_EQ(line, "second");
  EXPECT_EQ(read_line(in, line, 100'000), LineRead::TooLong);
  EXPECT_EQ(read_line(in, line, 100'000), LineRead::Line);
  EXPECT_EQ(line, "last");
  EXPECT_EQ(read_line(in, line, 100'000), LineRead::End);
  EXPECT_EQ(read_line(in, line, 100'000), LineRead::End);

  // A line exactly at a chunk boundary, and exactly at the limit.
  const std::string exact(64 * 1024 - 1, 'y');
  std::istringstream in2(exact + "\n" + exact + "\n");
  EXPECT_EQ(read_line(in2, line, exact.size()), LineRead::Line);
  EXPECT_EQ(line, exact);
  EXPECT_EQ(read_line(in2, line, exact.size() - 1), LineRead::TooLong);
  EXPECT_EQ(read_line(in2, line, exact.size()), LineRead::End);
}

const char* kRequest = R"({"jsonrpc":"2.0","id":5,"method":"tools/list"})";
const char* kNotification = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";

json only_line(const Translation& t) {
  EXPECT_EQ(t.lines.size(), 1u);
  return t.lines.empty() ? json() : json::parse(t.lines.front());
}

TEST(StdioTranslate, JsonPassesThroughOnOneLine) {
  const auto t = translate(inspect(kRequest), {200, "application/json",
                                               "{\"jsonrpc\":\"2.0\",\n\"id\":5,\"result\":{}}"});
  ASSERT_EQ(t.lines.size(), 1u);
  EXPECT_EQ(t.lines[0], R"({"jsonrpc":"2.0", "id":5,"result":{}})");
  EXPECT_TRUE(t.note.empty());
}

TEST(StdioTranslate, AcceptedNotificationWritesNothing) {
  EXPECT_TRUE(translate(inspect(kNotification), {202, "", ""}).lines.empty());
  EXPECT_TRUE(translate(inspect(kNotification), {200, "application/json", ""}).lines.empty());
}

TEST(StdioTranslate, EventStream) {
  const auto t = translate(
      inspect(kRequest),
      {200, "text/event-stream; charset=utf-8",
       "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n"
       "data: {\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}\n\n"});
  ASSERT_EQ(t.lines.size(), 2u);
  EXPECT_EQ(json::parse(t.lines[1])["id"], 5);
}

TEST(StdioTranslate, Unauthorized) {
  const std::string body =
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"a valid bearer secret is required"}})";
  const json e = only_line(translate(inspect(kRequest), {401, "application/json", body}));
  EXPECT_EQ(e["id"], 5);
  EXPECT_EQ(e["error"]["code"], kRefused);
  EXPECT_EQ(e["error"]["message"], kBearerRefused);
  EXPECT_EQ(e["error"]["data"]["server"], "a valid bearer secret is required");

  const auto n = translate(inspect(kNotification), {401, "application/json", body});
  EXPECT_TRUE(n.lines.empty());
  EXPECT_NE(n.note.find("AIRLOCK_TOKEN"), std::string::npos);
}

TEST(StdioTranslate, Forbidden) {
  const json e = only_line(translate(
      inspect(kRequest),
      {403, "application/json",
       R"({"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Origin not allowed"}})"}));
  EXPECT_EQ(e["id"], 5);
  EXPECT_EQ(e["error"]["code"], kRefused);
  EXPECT_NE(e["error"]["message"].get<std::string>().find("Origin not allowed"), std::string::npos);
}

TEST(StdioTranslate, ErrorWithoutIdGetsTheRequestsId) {
  const json e = only_line(
      translate(inspect(kRequest),
                {413, "application/json",
                 R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"too large"}})"}));
  EXPECT_EQ(e["id"], 5);
  EXPECT_EQ(e["error"]["code"], -32600);
  EXPECT_EQ(e["error"]["message"], "too large");

  // One with the id passes as it is (2026-07-28: 400/404 with the request's error).
  const std::string with_id =
      R"({"jsonrpc":"2.0","id":5,"error":{"code":-32601,"message":"Method not found"}})";
  const auto t = translate(inspect(kRequest), {404, "application/json", with_id});
  ASSERT_EQ(t.lines.size(), 1u);
  EXPECT_EQ(t.lines[0], with_id);
}

TEST(StdioTranslate, NonJsonErrorPage) {
  const auto t = translate(inspect(kRequest), {502, "text/html", "<html>\nBad gateway</html>"});
  const json e = only_line(t);
  EXPECT_EQ(e["id"], 5);
  EXPECT_EQ(e["error"]["code"], kTransportError);
  EXPECT_NE(e["error"]["message"].get<std::string>().find("HTTP 502"), std::string::npos);
  EXPECT_FALSE(t.note.empty());

  const auto n = translate(inspect(kNotification), {502, "text/html", "<html/>"});
  EXPECT_TRUE(n.lines.empty());
  EXPECT_FALSE(n.note.empty());

  // An unparsable line: the server's parse error goes back as it came.
  const std::string parse_error =
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})";
  const auto p = translate(inspect("{oops"), {400, "application/json", parse_error});
  ASSERT_EQ(p.lines.size(), 1u);
  EXPECT_EQ(p.lines[0], parse_error);
}

TEST(StdioTranslate, RefusedNotificationIsOnlyNoted) {
  const auto t = translate(
      inspect(kNotification),
      {400, "application/json", R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"bad"}})"});
  EXPECT_TRUE(t.lines.empty());
  EXPECT_NE(t.note.find("bad"), std::string::npos);
}

TEST(StdioTranslate, TransportFailure) {
  const json e = only_line(transport_failure(inspect(kRequest), "connecting: refused"));
  EXPECT_EQ(e["id"], 5);
  EXPECT_EQ(e["error"]["code"], kTransportError);
  EXPECT_TRUE(transport_failure(inspect(kNotification), "x").lines.empty());
  const json null_id = json::parse(error_line(nullptr, kInvalidRequest, "too long"));
  ASSERT_TRUE(null_id.contains("id"));
  EXPECT_TRUE(null_id["id"].is_null());
}

}  // namespace
}  // namespace airlock::mcp::stdio
