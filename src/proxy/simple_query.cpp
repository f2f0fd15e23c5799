#include "proxy/simple_query.hpp"

#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"
#include "protocol/rows.hpp"
#include "proxy/frame_io.hpp"

namespace airlock::proxy {

net::awaitable<Result<std::vector<QueryResult>>> run_simple_query(UpstreamConn& conn,
                                                                  std::string sql,
                                                                  std::size_t max_message_bytes) {
  std::string out;
  protocol::append_query(out, sql);
  auto [wec, wn] = co_await conn.stream->write_all(net::asio::buffer(out));
  if (wec) co_return fail(sqlstate::kConnectionFailure, "airlock: upstream write failed", wec.message());

  std::vector<QueryResult> results;
  QueryResult cur;
  std::optional<Error> error;
  for (;;) {
    auto f = co_await read_frame(*conn.stream, conn.buf, FrameKind::Typed, max_message_bytes);
    if (!f) co_return std::unexpected(f.error());
    const protocol::Frame frame = *f;
    bool bad = false;
    switch (frame.type) {
      case 'T': {
        auto d = protocol::parse_row_description(frame);
        if (!d) bad = true;
        else for (const auto& field : *d) cur.columns.emplace_back(field.name);
        break;
      }
      case 'D': {
        auto row = protocol::parse_data_row(frame);
        if (!row) {
          bad = true;
          break;
        }
        auto& r = cur.rows.emplace_back();
        r.reserve(row->size());
        for (const auto& v : *row) r.push_back(v ? std::optional<std::string>(*v) : std::nullopt);
        break;
      }
      case 'C': {
        auto tag = protocol::parse_command_complete(frame);
        if (!tag) bad = true;
        else cur.command_tag = *tag;
        results.push_back(std::move(cur));
        cur = {};
        break;
      }
      case 'E': {
        auto e = protocol::parse_error(frame);
        error = Error{e && e->sqlstate.size() == 5 ? std::string(e->sqlstate) : "XX000",
                      e ? std::string(e->message) : "invalid error", {}};
        break;
      }
      case 'Z':
        conn.buf.consume(frame.size);
        if (error) co_return std::unexpected(*error);
        co_return results;
      case 'I': case 'N': case 'S': case 'A':
        break;
      default:
        bad = true;
    }
    conn.buf.consume(frame.size);
    if (bad) co_return fail(sqlstate::kProtocolViolation, "airlock: invalid upstream message");
  }
}

}  // namespace airlock::proxy
