// Small cryptographic helpers the quarantine shares: digests, randomness, hex and constant-time compare,
// and authenticated encryption at rest (AES-256-GCM) with a key kept in a file outside the store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// AES-256-GCM keys for data at rest. Sealed formats:
//   "MQE2" | 8-byte key id | 12-byte random nonce | ciphertext | 16-byte tag   (the header is authenticated)
//   "MQE1" | 12-byte random nonce | ciphertext | 16-byte tag   (before key ids; still opened, never written)
// The key id is the first 8 bytes of SHA-256("mugaika.key-id/1:" || key): it names a key (so an object
// says which key sealed it, and a key rotation knows what is left to do) without revealing it.
// The associated data binds a ciphertext to its purpose (e.g. the blob's name): a file moved to
// another name, or a secret copied to another account, does not decrypt.
//
// A SecretKey is a small key ring: the key it seals with, and the keys it can still open with. While a
// key rotation (`mugaika quarantine rekey`) is unfinished, the key file has a sibling KEY_FILE.new: the
// ring seals with the new key and opens with either, so that an interrupted rotation leaves every
// object readable and the next run resumes it.
class SecretKey {
public:
    // Loads the key file (and KEY_FILE.new, when a rotation is unfinished), or creates the key file
    // (0600, 32 random bytes as hex) when neither exists. Refuses a key file that others may read, that
    // is not a regular file, or that lies inside `store_root` (the key must not travel with the
    // encrypted store, e.g. in a backup of it).
    static SecretKey load_or_create(const std::filesystem::path& key_file, const std::filesystem::path& store_root);
    // Loads one key file with the same checks; never creates it.
    static SecretKey load_file(const std::filesystem::path& key_file);
    static SecretKey from_bytes(std::string_view raw32);
    static SecretKey generate();
    // Writes this ring's sealing key as a new key file (0600, created exclusively, fsync'd with its folder).
    void write_new_key_file(const std::filesystem::path& key_file) const;

    std::string seal(std::string_view plaintext, std::string_view aad) const;
    // Throws CryptoError when the data was altered, truncated, or sealed with a key the ring does not hold
    // or with another aad.
    std::string open(std::string_view sealed, std::string_view aad) const;

    // The sealing key's id (16 hex digits), and whether the ring holds the key with this id.
    std::string key_id() const;
    bool holds(std::string_view key_id_hex) const;
    // The ids of every key in the ring, the sealing key first.
    std::vector<std::string> key_ids() const;
    // A ring that seals with this ring's sealing key and opens with the keys of both.
    SecretKey with_opening_keys_of(const SecretKey& other) const;

    // The key id a sealed value names (16 hex digits); empty for the old MQE1 format; throws CryptoError
    // when it is not a sealed value at all.
    static std::string sealed_key_id(std::string_view sealed);
    // The first bytes of a sealed value that sealed_key_id() needs.
    static constexpr std::size_t header_bytes = 12;

    SecretKey(const SecretKey&) = default;
    SecretKey& operator=(const SecretKey&) = default;
    SecretKey(SecretKey&&) = default;
    SecretKey& operator=(SecretKey&&) = default;
    ~SecretKey();

private:
    struct Key {
        unsigned char bytes[32];
        unsigned char id[8];
    };
    SecretKey() = default;
    const Key* find(std::string_view id8) const;
    std::vector<Key> keys_;   // keys_[0] seals
};

// The path of the pending key of an unfinished rotation: KEY_FILE.new.
std::filesystem::path pending_key_file(const std::filesystem::path& key_file);

}  // namespace mugaika::quarantine
