#include "mugaika/quarantine/crypto.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <memory>

namespace mugaika::quarantine {
namespace {

void ensure_sodium() {
    // sodium_init is idempotent and thread-safe; it fails only when no entropy source exists.
    static const int rc = sodium_init();
    if (rc < 0) throw CryptoError("libsodium could not initialise (no entropy source?)");
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw CryptoError("SHA-256 failed");
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string random_bytes(std::size_t n) {
    ensure_sodium();
    std::string out(n, '\0');
    randombytes_buf(out.data(), n);
    return out;
}

std::string random_hex(std::size_t n_bytes) { return to_hex(random_bytes(n_bytes)); }

std::string to_hex(std::string_view bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
    return out;
}

std::string from_hex(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() % 2) throw CryptoError("odd number of hex digits");
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) throw CryptoError("not a hex digit");
        out.push_back(static_cast<char>(hi << 4 | lo));
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    ensure_sodium();
    return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_sha256_hex(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace mugaika::quarantine
