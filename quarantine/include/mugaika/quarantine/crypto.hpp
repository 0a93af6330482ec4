// Small cryptographic helpers the quarantine shares: digests, randomness, hex and constant-time compare,
// and authenticated encryption at rest (AES-256-GCM) with a key kept in a file outside the store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mugaika::quarantine {

struct CryptoError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string sha256_hex(std::string_view bytes);
std::string random_bytes(std::size_t n);      // from the kernel CSPRNG (libsodium randombytes)
std::string random_hex(std::size_t n_bytes);   // 2 * n_bytes hex digits
std::string to_hex(std::string_view bytes);
std::string from_hex(std::string_view hex);    // throws CryptoError on anything but an even run of hex digits
bool constant_time_equal(std::string_view a, std::string_view b);
bool is_sha256_hex(std::string_view s);        // 64 lowercase hex digits

// A 256-bit key for AES-256-GCM. Sealed format: "MQE1" | 12-byte random nonce | ciphertext | 16-byte tag.
// The associated data binds a ciphertext to its purpose (e.g. the blob's name): a file moved to
// another name, or a secret copied to another account, does not decrypt.
class SecretKey {
public:
    // Loads the key file, or creates it (0600, 32 random bytes as hex) when it does not exist.
    // Refuses a key file that others may read, that is not a regular file, or that lies inside
    // `store_root` (the key must not travel with the encrypted store, e.g. in a backup of it).
    static SecretKey load_or_create(const std::filesystem::path& key_file, const std::filesystem::path& store_root);
    static SecretKey from_bytes(std::string_view raw32);

    std::string seal(std::string_view plaintext, std::string_view aad) const;
    // Throws CryptoError when the data was altered, truncated, or sealed with another key or aad.
    std::string open(std::string_view sealed, std::string_view aad) const;

    SecretKey(const SecretKey&) = default;
    SecretKey& operator=(const SecretKey&) = default;
    ~SecretKey();

private:
    SecretKey() = default;
    unsigned char key_[32]{};
};

}  // namespace mugaika::quarantine
