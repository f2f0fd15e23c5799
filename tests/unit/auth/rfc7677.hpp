#pragma once
// The SCRAM-SHA-256 example exchange of RFC 7677 section 3 (user "user", password "pencil").
#include <string_view>

namespace rfc7677 {

inline constexpr std::string_view kPassword = "pencil";
inline constexpr std::string_view kUser = "user";
inline constexpr std::string_view kClientNonce = "rOprNGfwEbeRWgbNEkqO";
inline constexpr std::string_view kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
inline constexpr std::string_view kSaltB64 = "W22ZaJ0SNY7soEsUEjb6gQ==";
inline constexpr int kIterations = 4096;

inline constexpr std::string_view kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
inline constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
inline constexpr std::string_view kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
inline constexpr std::string_view kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

// The same credentials in PostgreSQL's rolpassword form (derived independently with Python's
// hashlib.pbkdf2_hmac and hmac).
inline constexpr std::string_view kVerifier =
    "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
    "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

}  // namespace rfc7677
