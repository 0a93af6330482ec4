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

constexpr std::string_view magic = "MQE1";
constexpr std::size_t nonce_len = 12, tag_len = 16;

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

void create_key_file(const fs::path& key_file) {
    if (key_file.has_parent_path()) fs::create_directories(key_file.parent_path());
    int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return;   // another process created it first: use theirs
        throw std::system_error(errno, std::generic_category(), "create key file " + key_file.string());
    }
    std::string text = random_hex(32) + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    int e = errno;
    ::close(fd);
    sodium_memzero(text.data(), text.size());
    if (!ok) {
        ::unlink(key_file.c_str());
        throw std::system_error(e, std::generic_category(), "write key file " + key_file.string());
    }
    if (key_file.has_parent_path()) sync_directory(key_file.parent_path());
}

}  // namespace

SecretKey::~SecretKey() { sodium_memzero(key_, sizeof key_); }

SecretKey SecretKey::from_bytes(std::string_view raw) {
    if (raw.size() != 32) throw CryptoError("a key is 32 bytes");
    SecretKey k;
    std::memcpy(k.key_, raw.data(), 32);
    return k;
}

SecretKey SecretKey::load_or_create(const fs::path& key_file, const fs::path& store_root) {
    if (key_file.empty()) throw CryptoError("no key file configured ([quarantine] key_file)");
    if (inside(key_file, store_root))
        throw CryptoError("the key file " + key_file.string() + " must lie outside the store " + store_root.string());
    struct stat st{};
    if (::lstat(key_file.c_str(), &st) != 0) {
        if (errno != ENOENT) throw std::system_error(errno, std::generic_category(), "stat " + key_file.string());
        create_key_file(key_file);
        if (::lstat(key_file.c_str(), &st) != 0)
            throw std::system_error(errno, std::generic_category(), "stat " + key_file.string());
    }
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
        throw CryptoError("the key file " + key_file.string() + " does not hold 64 hex digits");
    }
    sodium_memzero(text.data(), text.size());
    if (raw.size() != 32) throw CryptoError("the key file " + key_file.string() + " does not hold 64 hex digits");
    SecretKey k = from_bytes(raw);
    sodium_memzero(raw.data(), raw.size());
    return k;
}

std::string SecretKey::seal(std::string_view plaintext, std::string_view aad) const {
    std::string nonce = random_bytes(nonce_len);
    std::string out;
    out.reserve(magic.size() + nonce_len + plaintext.size() + tag_len);
    out.append(magic);
    out.append(nonce);
    std::size_t body = out.size();
    out.resize(body + plaintext.size() + tag_len);
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    auto c = new_ctx();
    int len = 0;
    if (EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, nonce_len, nullptr) != 1 ||
        EVP_EncryptInit_ex(c.get(), nullptr, nullptr, key_, reinterpret_cast<const unsigned char*>(nonce.data())) != 1)
        throw CryptoError("AES-256-GCM init failed");
    if (!aad.empty() &&
        EVP_EncryptUpdate(c.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) != 1)
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

std::string SecretKey::open(std::string_view sealed, std::string_view aad) const {
    if (sealed.size() < magic.size() + nonce_len + tag_len || sealed.substr(0, magic.size()) != magic)
        throw CryptoError("not a sealed quarantine object");
    auto nonce = reinterpret_cast<const unsigned char*>(sealed.data() + magic.size());
    std::string_view ct = sealed.substr(magic.size() + nonce_len, sealed.size() - magic.size() - nonce_len - tag_len);
    std::string tag(sealed.substr(sealed.size() - tag_len));
    std::string out(ct.size(), '\0');
    auto c = new_ctx();
    int len = 0;
    if (EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, nonce_len, nullptr) != 1 ||
        EVP_DecryptInit_ex(c.get(), nullptr, nullptr, key_, nonce) != 1)
        throw CryptoError("AES-256-GCM init failed");
    if (!aad.empty() &&
        EVP_DecryptUpdate(c.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) != 1)
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
        throw CryptoError("the sealed data was altered or sealed with another key");
    }
    return out;
}

}  // namespace mugaika::quarantine
