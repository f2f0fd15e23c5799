#pragma once
// Errors on the data path are values, never exceptions (see CONTRIBUTING.md).
// An Error carries a PostgreSQL SQLSTATE so that any layer can turn it into an
// ErrorResponse without a translation table, and keeps the text shown to the
// client apart from detail that only the server log may see.
#include <expected>
#include <string>
#include <utility>

namespace airlock {

// SQLSTATE codes Airlock itself emits (PostgreSQL Appendix A).
namespace sqlstate {
inline constexpr const char* kProtocolViolation = "08P01";
inline constexpr const char* kConnectionFailure = "08006";
inline constexpr const char* kCannotConnect = "08001";
inline constexpr const char* kInvalidPassword = "28P01";
inline constexpr const char* kInvalidAuthSpec = "28000";
inline constexpr const char* kFeatureNotSupported = "0A000";
inline constexpr const char* kInsufficientPrivilege = "42501";
inline constexpr const char* kTooManyConnections = "53300";
inline constexpr const char* kConfigurationLimitExceeded = "53400";
inline constexpr const char* kAdminShutdown = "57P01";
inline constexpr const char* kQueryCanceled = "57014";
inline constexpr const char* kIdleSessionTimeout = "57P05";
inline constexpr const char* kIdleInTransactionTimeout = "25P03";
inline constexpr const char* kInternalError = "XX000";
inline constexpr const char* kCharacterNotInRepertoire = "22021";
inline constexpr const char* kInvalidParameterValue = "22023";
}  // namespace sqlstate

struct Error {
  std::string sqlstate = sqlstate::kInternalError;
  std::string message;  // safe to show the client
  std::string detail;   // for the server log only; may name internals

  static Error make(const char* code, std::string msg, std::string log_detail = {}) {
    return Error{code, std::move(msg), std::move(log_detail)};
  }
};

template <class T>
using Result = std::expected<T, Error>;

using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(const char* code, std::string msg, std::string detail = {}) {
  return std::unexpected(Error::make(code, std::move(msg), std::move(detail)));
}

}  // namespace airlock
