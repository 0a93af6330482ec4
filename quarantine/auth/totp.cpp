#include "mugaika/quarantine/totp.hpp"

#include <openssl/hmac.h>

#include <stdexcept>

#include "mugaika/quarantine/crypto.hpp"

namespace mugaika::quarantine::totp {

std::int64_t step_of(std::int64_t t) { return t >= 0 ? t / step_seconds : 0; }

std::string code_at(std::string_view secret, std::int64_t step, int n_digits) {
    unsigned char counter[8];
    auto c = static_cast<std::uint64_t>(step);
    for (int i = 7; i >= 0; --i) {
        counter[i] = static_cast<unsigned char>(c & 0xff);
        c >>= 8;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter, sizeof counter, mac, &len))
        throw CryptoError("HMAC-SHA1 failed");
    int offset = mac[len - 1] & 0x0f;   // RFC 4226 dynamic truncation
    std::uint32_t bin = (std::uint32_t(mac[offset] & 0x7f) << 24) | (std::uint32_t(mac[offset + 1]) << 16) |
                        (std::uint32_t(mac[offset + 2]) << 8) | std::uint32_t(mac[offset + 3]);
    std::uint32_t mod = 1;
    for (int i = 0; i < n_digits; ++i) mod *= 10;
    std::string s = std::to_string(bin % mod);
    return std::string(static_cast<std::size_t>(n_digits) - s.size(), '0') + s;
}

std::optional<std::int64_t> match(std::string_view secret, std::string_view code, std::int64_t t) {
    if (code.size() != static_cast<std::size_t>(digits)) return std::nullopt;
    for (char ch : code)
        if (ch < '0' || ch > '9') return std::nullopt;
    std::int64_t now = step_of(t);
    std::optional<std::int64_t> found;
    // Check all three steps every time: the work does not depend on which one matched.
    for (std::int64_t s = now - 1; s <= now + 1; ++s)
        if (constant_time_equal(code_at(secret, s), code) && !found) found = s;
    return found;
}

std::string base32_encode(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out.push_back(alphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

std::string base32_decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char ch : text) {
        int v;
        if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z') v = ch - 'a';
        else if (ch >= '2' && ch <= '7') v = ch - '2' + 26;
        else if (ch == ' ' || ch == '=' || ch == '-') continue;
        else throw std::invalid_argument("not a base32 secret");
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
            bits -= 8;
        }
    }
    return out;
}

std::string provisioning_uri(std::string_view account, std::string_view secret, std::string_view issuer) {
    return "otpauth://totp/" + std::string(issuer) + ":" + std::string(account) + "?secret=" + base32_encode(secret) +
           "&issuer=" + std::string(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace mugaika::quarantine::totp
