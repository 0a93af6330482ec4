// Content-addressed, encrypted object storage: objects/<2 hex>/<sha256>.mqe, where the name is the
// SHA-256 of the plaintext and the file is AES-256-GCM sealed with the name as associated data.
// The same original held twice is stored once; the database counts who still refers to it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "mugaika/quarantine/crypto.hpp"

namespace mugaika::quarantine {

class BlobStore {
public:
    BlobStore(std::filesystem::path root, SecretKey key);

    // Stores the bytes (if not already there) and returns their SHA-256. Durable when it returns.
    std::string put(std::string_view plaintext);
    // Decrypts and checks the object against its name. Throws CryptoError (altered, wrong key) or
    // std::system_error (missing). `max_bytes` bounds what is read.
    std::string get(std::string_view sha256, std::uint64_t max_bytes = std::uint64_t(4) << 30) const;
    bool exists(std::string_view sha256) const;
    // Overwrites the object file with zeros, fsyncs, then unlinks it. The encryption is what really
    // protects a disposed object (SSDs and journaling file systems may keep old blocks); the overwrite
    // is what the policies ask for on top. No-op when the object is already gone.
    void shred(std::string_view sha256);

    std::filesystem::path path_of(std::string_view sha256) const;   // validates the name
    const std::filesystem::path& root() const { return root_; }
    const SecretKey& key() const { return key_; }

private:
    std::filesystem::path root_;
    SecretKey key_;
};

// The associated data an object is sealed with: its name (a renamed object does not decrypt).
std::string blob_aad(std::string_view sha256);

// Overwrites a file with zeros, fsyncs, unlinks it and fsyncs its folder. No-op when it does not exist.
void shred_file(const std::filesystem::path& file);

}  // namespace mugaika::quarantine
