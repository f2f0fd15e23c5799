#include "audit/chain.hpp"

#include <openssl/evp.h>

#include <array>

#include "core/hex.hpp"

namespace airlock::audit {
namespace {

constexpr std::string_view kHashKey = ",\"hash\":\"";

}  // namespace

std::string chain_hash(std::string_view prev, std::string_view body) {
  // One context and one fetched SHA-256 per thread: OpenSSL 3 fetches the algorithm again
  // at every init given EVP_sha256(), and a context costs an allocation.
  struct Digest {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Digest() {
      EVP_MD_CTX_free(ctx);
      EVP_MD_free(md);
    }
  };
  thread_local Digest d;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // SHA-256 cannot fail on valid input; a failure (allocation) yields a hash that matches
  // nothing, which verify reports rather than a record silently accepted.
  const bool ok = d.ctx != nullptr && d.md != nullptr &&
                  EVP_DigestInit_ex(d.ctx, d.md, nullptr) == 1 &&
                  EVP_DigestUpdate(d.ctx, prev.data(), prev.size()) == 1 &&
                  EVP_DigestUpdate(d.ctx, "\n", 1) == 1 &&
                  EVP_DigestUpdate(d.ctx, body.data(), body.size()) == 1 &&
                  EVP_DigestFinal_ex(d.ctx, digest.data(), &length) == 1;
  if (!ok) return std::string(kHashHexLength, 'x');
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

std::string seal(std::string_view body, std::string_view hash) {
  std::string line;
  line.reserve(body.size() + kHashKey.size() + hash.size() + 2);
  line.append(body.substr(0, body.empty() ? 0 : body.size() - 1));  // drop the closing '}'
  line.append(kHashKey);
  line.append(hash);
  line.append("\"}");
  return line;
}

bool is_hash(std::string_view s) {
  if (s.size() != kHashHexLength) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<Sealed> unseal(std::string_view line) {
  const std::size_t tail = kHashKey.size() + kHashHexLength + 2;
  if (line.size() < tail + 2 || !line.ends_with("\"}")) return std::nullopt;
  const std::size_t at = line.size() - tail;
  if (line.substr(at, kHashKey.size()) != kHashKey) return std::nullopt;
  const std::string_view hash = line.substr(at + kHashKey.size(), kHashHexLength);
  if (!is_hash(hash)) return std::nullopt;
  Sealed s{std::string(line.substr(0, at)), hash};
  s.body.push_back('}');
  return s;
}

}  // namespace airlock::audit
