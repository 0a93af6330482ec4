// AES-256-GCM through OpenSSL EVP, and the key file's rules (0600, outside the store).
#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/crypto.hpp"

namespace mugaika::quarantine {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view magic_v1 = "MQE1", magic_v2 = "MQE2";
constexpr std::size_t magic_len = 4, id_len = 8, nonce_len = 12, tag_len = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)>;
CipherCtx new_ctx() {
    CipherCtx c(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    if (!c) throw CryptoError("EVP_CIPHER_CTX_new failed");
    return c;
}

bool inside(const fs::path& p, const fs::path& root) {
    fs::path a = fs::weakly_canonical(p), r = fs::weakly_canonical(root);
    auto [ri, ai] = std::mismatch(r.begin(), r.end(), a.begin(), a.end());
    return ri == r.end();
}

// Creates `key_file` exclusively with `text` (0600), fsync'd with its folder. false: it already exists.
bool create_key_file(const fs::path& key_file, std::string_view text) {
    if (key_file.has_parent_path()) fs::create_directories(key_file.parent_path());
    int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return false;
        throw std::system_error(errno, std::generic_category(), "create key file " + key_file.string());
    }
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    int e = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(key_file.c_str());
        throw std::system_error(e, std::generic_category(), "write key file " + key_file.string());
    }
    if (key_file.has_parent_path()) sync_directory(key_file.parent_path());
    return true;
}

void derive_id(const unsigned char* key, unsigned char* id) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    std::string input = "mugaika.key-id/1:";
    input.append(reinterpret_cast<const char*>(key), 32);
    bool ok = EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr) == 1;
    sodium_memzero(input.data(), input.size());
    if (!ok) throw CryptoError("SHA-256 failed");
    std::memcpy(id, digest, id_len);
}

}  // namespace

fs::path pending_key_file(const fs::path& key_file) {
    fs::path p = key_file;
    p += ".new";
    return p;
}

SecretKey::~SecretKey() {
    for (auto& k : keys_) sodium_memzero(&k, sizeof k);
}

SecretKey SecretKey::from_bytes(std::string_view raw) {
    if (raw.size() != 32) throw CryptoError("a key is 32 bytes");
    SecretKey k;
    k.keys_.reserve(2);   // no reallocation later that would leave a copy of a key behind unwiped
    k.keys_.emplace_back();
    std::memcpy(k.keys_[0].bytes, raw.data(), 32);
    derive_id(k.keys_[0].bytes, k.keys_[0].id);
    return k;
}

SecretKey SecretKey::generate() {
    std::string raw = random_bytes(32);
    SecretKey k = from_bytes(raw);
    sodium_memzero(raw.data(), raw.size());
    return k;
}

void SecretKey::write_new_key_file(const fs::path& key_file) const {
    std::string text = to_hex(std::string_view(reinterpret_cast<const char*>(keys_.at(0).bytes), 32)) + "\n";
    bool created = false;
    try {
        created = create_key_file(key_file, text);
    } catch (...) {
        sodium_memzero(text.data(), text.size());
        throw;
    }
    sodium_memzero(text.data(), text.size());
    if (!created) throw CryptoError("the key file " + key_file.string() + " exists already");
}

SecretKey SecretKey::load_file(const fs::path& key_file) {
    struct stat st{};
    if (::lstat(key_file.c_str(), &st) != 0)
        throw std::system_error(errno, std::generic_category(), "stat " + key_file.string());
    if (!S_ISREG(st.st_mode)) throw CryptoError("the key file " + key_file.string() + " is not a regular file");
    if (st.st_mode & 077) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
        throw CryptoError("the key file " + key_file.string() + " may be read by others (mode " + mode +
                          "); chmod 600 it");
    }
    std::string text = read_file(key_file, 1024);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    std::string raw;
    try {
        raw = from_hex(text);
    } catch (const CryptoError&) {
        sodium_memzero(text.data(), text.size());
        throw CryptoError("the key file " + key_file.string() + " does not hold 64 hex digits");
    }
    sodium_memzero(text.data(), text.size());
    if (raw.size() != 32) throw CryptoError("the key file " + key_file.string() + " does not hold 64 hex digits");
    SecretKey k = from_bytes(raw);
    sodium_memzero(raw.data(), raw.size());
    return k;
}

SecretKey SecretKey::load_or_create(const fs::path& key_file, const fs::path& store_root) {
    if (key_file.empty()) throw CryptoError("no key file configured ([quarantine] key_file)");
    if (inside(key_file, store_root))
        throw CryptoError("the key file " + key_file.string() + " must lie outside the store " + store_root.string());
    fs::path pending = pending_key_file(key_file);
    struct stat st{};
    bool have_pending = ::lstat(pending.c_str(), &st) == 0;
    if (::lstat(key_file.c_str(), &st) != 0) {
        if (errno != ENOENT) throw std::system_error(errno, std::generic_category(), "stat " + key_file.string());
        // Only a first start creates a key. A pending key without its key file is a rotation that lost
        // its current key: creating a fresh one would hide that, so refuse and let a person look.
        if (have_pending)
            throw CryptoError("the key file " + key_file.string() + " is missing but " + pending.string() +
                              " exists (an unfinished key rotation): restore the key file from a backup");
        SecretKey fresh = generate();
        try {
            fresh.write_new_key_file(key_file);
        } catch (const CryptoError&) {
            // another process created it first: use theirs
        }
    }
    SecretKey current = load_file(key_file);
    if (!have_pending) return current;
    return load_file(pending).with_opening_keys_of(current);
}

std::string SecretKey::key_id() const {
    return to_hex(std::string_view(reinterpret_cast<const char*>(keys_.at(0).id), id_len));
}

std::vector<std::string> SecretKey::key_ids() const {
    std::vector<std::string> out;
    for (const auto& k : keys_) out.push_back(to_hex(std::string_view(reinterpret_cast<const char*>(k.id), id_len)));
    return out;
}

bool SecretKey::holds(std::string_view id_hex) const {
    for (const auto& id : key_ids())
        if (id == id_hex) return true;
    return false;
}

SecretKey SecretKey::with_opening_keys_of(const SecretKey& other) const {
    SecretKey ring;
    ring.keys_.reserve(keys_.size() + other.keys_.size());
    for (const auto& k : keys_) ring.keys_.push_back(k);
    for (const auto& k : other.keys_)
        if (!ring.find(std::string_view(reinterpret_cast<const char*>(k.id), id_len))) ring.keys_.push_back(k);
    return ring;
}

const SecretKey::Key* SecretKey::find(std::string_view id8) const {
    for (const auto& k : keys_)
        if (id8.size() == id_len && std::memcmp(k.id, id8.data(), id_len) == 0) return &k;
    return nullptr;
}

std::string SecretKey::sealed_key_id(std::string_view sealed) {
    if (sealed.size() >= magic_len + id_len + nonce_len + tag_len && sealed.substr(0, magic_len) == magic_v2)
        return to_hex(sealed.substr(magic_len, id_len));
    if (sealed.size() >= magic_len + nonce_len + tag_len && sealed.substr(0, magic_len) == magic_v1) return {};
    throw CryptoError("not a sealed quarantine object");
}

namespace {

// One AES-256-GCM pass. `header` (authenticated, not encrypted) comes before `aad`.
std::string gcm_seal(const unsigned char* key, std::string_view header, std::string_view plaintext,
                     std::string_view aad) {
    std::string nonce = random_bytes(nonce_len);
    std::string out;
    out.reserve(header.size() + nonce_len + plaintext.size() + tag_len);
    out.append(header);
    out.append(nonce);
    std::size_t body = out.size();
    out.resize(body + plaintext.size() + tag_len);
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    auto c = new_ctx();
    int len = 0;
    if (EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, nonce_len, nullptr) != 1 ||
        EVP_EncryptInit_ex(c.get(), nullptr, nullptr, key, reinterpret_cast<const unsigned char*>(nonce.data())) != 1)
        throw CryptoError("AES-256-GCM init failed");
    for (std::string_view a : {header, aad})
        if (!a.empty() && EVP_EncryptUpdate(c.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(a.data()),
                                            static_cast<int>(a.size())) != 1)
            throw CryptoError("AES-256-GCM aad failed");
    // EVP takes int lengths: feed large inputs in chunks.
    std::size_t done = 0;
    while (done < plaintext.size()) {
        int n = static_cast<int>(std::min<std::size_t>(plaintext.size() - done, 1 << 30));
        if (EVP_EncryptUpdate(c.get(), dst + body + done, &len,
                              reinterpret_cast<const unsigned char*>(plaintext.data() + done), n) != 1)
            throw CryptoError("AES-256-GCM encrypt failed");
        done += static_cast<std::size_t>(len);
    }
    if (EVP_EncryptFinal_ex(c.get(), dst + body + done, &len) != 1) throw CryptoError("AES-256-GCM final failed");
    if (EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, tag_len, dst + body + plaintext.size()) != 1)
        throw CryptoError("AES-256-GCM tag failed");
    return out;
}

// Opens nonce | ciphertext | tag (`rest`) with `key`; false when it does not authenticate.
bool gcm_open(const unsigned char* key, std::string_view header, std::string_view rest, std::string_view aad,
              std::string& out) {
    auto nonce = reinterpret_cast<const unsigned char*>(rest.data());
    std::string_view ct = rest.substr(nonce_len, rest.size() - nonce_len - tag_len);
    std::string tag(rest.substr(rest.size() - tag_len));
    out.assign(ct.size(), '\0');
    auto c = new_ctx();
    int len = 0;
    if (EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, nonce_len, nullptr) != 1 ||
        EVP_DecryptInit_ex(c.get(), nullptr, nullptr, key, nonce) != 1)
        throw CryptoError("AES-256-GCM init failed");
    for (std::string_view a : {header, aad})
        if (!a.empty() && EVP_DecryptUpdate(c.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(a.data()),
                                            static_cast<int>(a.size())) != 1)
            throw CryptoError("AES-256-GCM aad failed");
    std::size_t done = 0;
    while (done < ct.size()) {
        int n = static_cast<int>(std::min<std::size_t>(ct.size() - done, 1 << 30));
        if (EVP_DecryptUpdate(c.get(), reinterpret_cast<unsigned char*>(out.data()) + done, &len,
                              reinterpret_cast<const unsigned char*>(ct.data() + done), n) != 1)
            throw CryptoError("AES-256-GCM decrypt failed");
        done += static_cast<std::size_t>(len);
    }
    if (EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, tag_len, tag.data()) != 1)
        throw CryptoError("AES-256-GCM tag failed");
    if (EVP_DecryptFinal_ex(c.get(), reinterpret_cast<unsigned char*>(out.data()) + done, &len) != 1) {
        sodium_memzero(out.data(), out.size());
        out.clear();
        return false;
    }
    return true;
}

}  // namespace

std::string SecretKey::seal(std::string_view plaintext, std::string_view aad) const {
    const Key& k = keys_.at(0);
    std::string header(magic_v2);
    header.append(reinterpret_cast<const char*>(k.id), id_len);
    return gcm_seal(k.bytes, header, plaintext, aad);
}

std::string SecretKey::open(std::string_view sealed, std::string_view aad) const {
    std::string id = sealed_key_id(sealed);   // throws on anything that is not sealed
    std::string out;
    if (!id.empty()) {
        std::string_view header = sealed.substr(0, magic_len + id_len);
        const Key* k = find(sealed.substr(magic_len, id_len));
        if (!k) throw CryptoError("sealed with key " + id + ", which is not this quarantine's key");
        if (gcm_open(k->bytes, header, sealed.substr(header.size()), aad, out)) return out;
        throw CryptoError("the sealed data was altered or sealed with another key");
    }
    // MQE1 names no key: try each key held (GCM tells the right one; the others fail authentication).
    for (const auto& k : keys_)
        if (gcm_open(k.bytes, {}, sealed.substr(magic_len), aad, out)) return out;
    throw CryptoError("the sealed data was altered or sealed with another key");
}

}  // namespace mugaika::quarantine
