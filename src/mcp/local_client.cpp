#include "mcp/local_client.hpp"

#include "auth/scram.hpp"
#include "core/bytes.hpp"
#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"
#include "protocol/rows.hpp"
#include "proxy/frame_io.hpp"
#include "proxy/guard_text.hpp"

namespace airlock::mcp {
namespace {

// Bind's body after the portal and statement names: every parameter in text format, every
// result column in text format.
std::string bind_rest(const std::vector<std::optional<std::string>>& params) {
  std::string out;
  auto i16 = [&out](std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xff));
  };
  auto i32 = [&out](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
  };
  i16(0);  // no parameter format codes: all text
  i16(static_cast<std::uint16_t>(params.size()));
  for (const auto& p : params) {
    if (!p) {
      i32(0xffffffffu);
      continue;
    }
    i32(static_cast<std::uint32_t>(p->size()));
    out += *p;
  }
  i16(0);  // result columns: text
  return out;
}

ToolResult error_result(const protocol::ErrorView& e) {
  ToolResult r;
  r.is_error = true;
  r.message.assign(e.message);
  r.hint.assign(e.hint);
  r.sqlstate.assign(e.sqlstate);
  if (r.message.starts_with("airlock: ")) r.rule = proxy::rule_of(r.message);
  return r;
}

}  // namespace

LocalClient::LocalClient(net::Stream stream, std::shared_ptr<proxy::LocalFront> front)
    : stream_(std::move(stream)), front_(std::move(front)), buf_(4096) {}

void LocalClient::close() {
  open_ = false;
  stream_.close();
}

net::awaitable<Status> LocalClient::send(const std::string& bytes) {
  auto [ec, n] = co_await stream_.write_all(net::asio::buffer(bytes));
  if (ec) {
    close();
    co_return fail(sqlstate::kConnectionFailure, "airlock: the gateway session closed");
  }
  co_return Status{};
}

net::awaitable<Result<protocol::Frame>> LocalClient::next(std::size_t max_message_bytes) {
  auto f = co_await proxy::read_frame(stream_, buf_, proxy::FrameKind::Typed, max_message_bytes);
  if (!f) close();
  co_return f;
}

net::awaitable<Status> LocalClient::login(const std::string& agent, const std::string& secret,
                                          std::size_t max_message_bytes) {
  max_message_bytes_ = max_message_bytes;
  std::string out;
  protocol::append_startup(out, {{"user", agent}, {"application_name", "airlock-" + front_->front}});
  if (auto st = co_await send(out); !st) co_return st;
  auth::ScramClient scram(secret);
  bool authenticated = false;
  for (;;) {
    auto f = co_await next(max_message_bytes);
    if (!f) co_return std::unexpected(f.error());
    const protocol::Frame frame = *f;
    out.clear();
    Status step;
    switch (frame.type) {
      case 'R': {
        auto req = protocol::parse_auth_request(frame);
        if (!req) {
          step = std::unexpected(req.error());
          break;
        }
        using protocol::AuthCode;
        if (req->code == AuthCode::Ok) {
          authenticated = true;
        } else if (req->code == AuthCode::Sasl) {
          protocol::append_sasl_initial_response(out, "SCRAM-SHA-256", scram.client_first());
        } else if (req->code == AuthCode::SaslContinue) {
          auto final_msg = scram.on_server_first(req->data);
          if (!final_msg) step = std::unexpected(final_msg.error());
          else protocol::append_sasl_response(out, *final_msg);
        } else if (req->code == AuthCode::SaslFinal) {
          step = scram.on_server_final(req->data);
        } else {
          step = fail(sqlstate::kProtocolViolation, "airlock: unexpected authentication request");
        }
        break;
      }
      case 'E': {
        auto e = protocol::parse_error(frame);
        std::string code = e ? std::string(e->sqlstate) : std::string(sqlstate::kConnectionFailure);
        std::string msg = e ? std::string(e->message) : "the gateway refused the session";
        buf_.consume(frame.size);
        close();
        co_return std::unexpected(Error{std::move(code), std::move(msg), {}});
      }
      case 'Z':
        buf_.consume(frame.size);
        if (!authenticated) co_return fail(sqlstate::kProtocolViolation, "airlock: login ended early");
        status_ = 'I';
        co_return Status{};
      default:
        break;  // ParameterStatus, BackendKeyData, notices
    }
    buf_.consume(frame.size);
    if (!step) {
      close();
      co_return step;
    }
    if (!out.empty()) {
      if (auto st = co_await send(out); !st) co_return st;
    }
  }
}

net::awaitable<Result<ToolResult>> LocalClient::run(
    const std::string& sql, const std::vector<std::optional<std::string>>& params,
    const RunLimits& limits) {
  std::string out;
  protocol::append_parse(out, "", sql);
  protocol::append_bind(out, "", "", bind_rest(params));
  protocol::append_describe(out, 'P', "");
  const std::size_t ask = limits.limit_rows ? limits.max_rows + 1 : 0;
  protocol::append_execute(out, "", static_cast<std::int32_t>(std::min<std::size_t>(ask, INT32_MAX)));
  protocol::append_sync(out);
  if (auto st = co_await send(out); !st) co_return std::unexpected(st.error());

  ToolResult result;
  std::optional<ToolResult> error;
  std::size_t bytes = 0;
  for (;;) {
    auto f = co_await next(max_message_bytes_);
    if (!f) co_return std::unexpected(f.error());
    const protocol::Frame frame = *f;
    switch (frame.type) {
      case 'T':
        if (auto fields = protocol::parse_row_description(frame)) {
          for (const auto& fd : *fields) {
            result.columns.push_back({std::string(fd.name), type_name(fd.type_oid)});
          }
        }
        break;
      case 'D': {
        if (result.truncated) break;
        if (result.rows.size() >= limits.max_rows) {
          result.truncated = true;
          result.truncation = "max_rows (" + std::to_string(limits.max_rows) + ")";
          break;
        }
        auto values = protocol::parse_data_row(frame);
        if (!values) break;
        std::size_t row_bytes = 0;
        for (const auto& v : *values) row_bytes += v ? v->size() : 0;
        if (bytes + row_bytes > limits.max_result_bytes) {
          result.truncated = true;
          result.truncation = "max_result_bytes (" + std::to_string(limits.max_result_bytes) + ")";
          break;
        }
        bytes += row_bytes;
        std::vector<std::optional<std::string>> row;
        row.reserve(values->size());
        for (const auto& v : *values) {
          row.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
        }
        result.rows.push_back(std::move(row));
        break;
      }
      case 's':  // PortalSuspended: more rows than asked for
        if (!result.truncated) {
          result.truncated = true;
          result.truncation = "max_rows (" + std::to_string(limits.max_rows) + ")";
        }
        break;
      case 'C':
        if (auto tag = protocol::parse_command_complete(frame)) {
          result.command.assign(*tag);
          if (auto n = protocol::command_tag_rows(*tag)) {
            result.rows_changed = static_cast<std::int64_t>(*n);
          }
        }
        break;
      case 'E':
        if (!error) {
          if (auto e = protocol::parse_error(frame)) error = error_result(*e);
        }
        break;
      case 'Z':
        if (auto s = protocol::parse_ready_for_query(frame)) status_ = *s;
        buf_.consume(frame.size);
        if (error) co_return std::move(*error);
        co_return result;
      default:
        break;  // ParseComplete, BindComplete, NoData, notices, ParameterStatus
    }
    buf_.consume(frame.size);
  }
}

std::string type_name(std::uint32_t oid) {
  switch (oid) {
    case 16: return "bool";
    case 17: return "bytea";
    case 18: return "char";
    case 19: return "name";
    case 20: return "int8";
    case 21: return "int2";
    case 23: return "int4";
    case 25: return "text";
    case 26: return "oid";
    case 114: return "json";
    case 142: return "xml";
    case 700: return "float4";
    case 701: return "float8";
    case 790: return "money";
    case 869: return "inet";
    case 1000: return "bool[]";
    case 1005: return "int2[]";
    case 1007: return "int4[]";
    case 1009: return "text[]";
    case 1016: return "int8[]";
    case 1042: return "bpchar";
    case 1043: return "varchar";
    case 1082: return "date";
    case 1083: return "time";
    case 1114: return "timestamp";
    case 1184: return "timestamptz";
    case 1186: return "interval";
    case 1700: return "numeric";
    case 2950: return "uuid";
    case 3802: return "jsonb";
    default: return "oid " + std::to_string(oid);
  }
}

}  // namespace airlock::mcp
