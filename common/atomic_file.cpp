#include "mugaika/atomic_file.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <random>
#include <system_error>

namespace mugaika {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

std::string temp_name() {
    std::random_device rd;
    static constexpr char hex[] = "0123456789abcdef";
    std::string s = ".mugaika-tmp-";
    for (int i = 0; i < 16; ++i) s.push_back(hex[rd() & 15]);
    return s;
}

// Writes a temp file in `dir` and (unless `lazily`) fsyncs it; returns its name.
std::string write_temp(const std::filesystem::path& dir, std::string_view bytes, bool lazily = false) {
    std::string tmp = temp_name();
    std::filesystem::path path = dir / tmp;
    Fd f;
    f.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (f.fd < 0) fail("create " + path.string());
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(f.fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = errno;
            ::unlink(path.c_str());
            errno = e ? e : EIO;
            fail("write " + path.string());
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (!lazily && durable_sync(f.fd, SyncKind::file) != 0) {
        int e = errno;
        ::unlink(path.c_str());
        errno = e;
        fail("fsync " + path.string());
    }
    return tmp;
}

std::atomic<std::uint64_t> file_syncs{0}, directory_syncs{0};

}  // namespace

int durable_sync(int fd, SyncKind kind) {
    (kind == SyncKind::file ? file_syncs : directory_syncs).fetch_add(1, std::memory_order_relaxed);
    return ::fsync(fd);
}

SyncCounts sync_counts() {
    return {file_syncs.load(std::memory_order_relaxed), directory_syncs.load(std::memory_order_relaxed)};
}

std::string numbered_name(std::string_view name, int n) {
    if (n < 2) return std::string(name);
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0)
        return std::string(name) + " (" + std::to_string(n) + ")";
    return std::string(name.substr(0, dot)) + " (" + std::to_string(n) + ")" + std::string(name.substr(dot));
}

void sync_directory(const std::filesystem::path& dir) {
    Fd d;
    d.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d.fd < 0) fail("open " + dir.string());
    if (durable_sync(d.fd, SyncKind::directory) != 0) fail("fsync " + dir.string());
}

std::filesystem::path write_new_file(const std::filesystem::path& dir, std::string_view name,
                                     std::string_view bytes) {
    // One plain name inside `dir`, whoever chose it: never a path out of it (the last wall behind the
    // name checks of the callers).
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
        name.find('\0') != std::string_view::npos) {
        errno = EINVAL;
        fail("refusing to write a file named '" + std::string(name.substr(0, name.find('\0'))) + "'");
    }
    std::string tmp = write_temp(dir, bytes);
    std::filesystem::path from = dir / tmp;
    for (int n = 1; n < 10000; ++n) {
        std::filesystem::path to = dir / numbered_name(name, n);
        // RENAME_NOREPLACE makes "is it free?" and "take it" one step: two writers never collide.
        if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
            sync_directory(dir);
            return to;
        }
        if (errno != EEXIST) {
            int e = errno;
            ::unlink(from.c_str());
            errno = e;
            fail("rename to " + to.string());
        }
    }
    ::unlink(from.c_str());
    errno = EEXIST;
    fail("no free name for " + std::string(name) + " in " + dir.string());
}

namespace {

// A temp file renamed over dir/name; with `lazily`, neither the file nor the folder is fsync'd.
void replace_via_temp(const std::filesystem::path& dir, std::string_view name, std::string_view bytes, bool lazily) {
    std::string tmp = write_temp(dir, bytes, lazily);
    std::filesystem::path to = dir / std::string(name);
    if (::rename((dir / tmp).c_str(), to.c_str()) != 0) {
        int e = errno;
        ::unlink((dir / tmp).c_str());
        errno = e;
        fail("rename to " + to.string());
    }
    if (!lazily) sync_directory(dir);
}

}  // namespace

void replace_file(const std::filesystem::path& dir, std::string_view name, std::string_view bytes) {
    replace_via_temp(dir, name, bytes, false);
}

void replace_file_lazily(const std::filesystem::path& dir, std::string_view name, std::string_view bytes) {
    replace_via_temp(dir, name, bytes, true);
}

std::string read_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) fail("open " + path.string());
    struct stat st{};
    if (::fstat(f.fd, &st) != 0) fail("stat " + path.string());
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        fail(path.string() + " is not a regular file");
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) throw std::length_error(path.string() + " is too large");
    std::string data(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
        ssize_t n = ::read(f.fd, data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read " + path.string());
        if (n == 0) break;   // shrank while reading
        got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    return data;
}

}  // namespace mugaika

#include <openssl/evp.h>
#include <openssl/kdf.h>

namespace mugaika {

std::string sha256_file(const std::filesystem::path& path) {
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) fail("open " + path.string());
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    char buf[1 << 16];
    while (true) {
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read " + path.string());
        if (n == 0) break;
        EVP_DigestUpdate(ctx.get(), buf, static_cast<std::size_t>(n));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &len);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

}  // namespace mugaika

namespace mugaika {

void warm_up_crypto() {
    for (const char* md : {"SHA256", "SHA1", "MD5"})
        if (EVP_MD* m = EVP_MD_fetch(nullptr, md, nullptr)) EVP_MD_free(m);
    for (const char* c : {"AES-256-GCM", "AES-128-ECB", "AES-192-ECB", "AES-256-ECB", "AES-128-CTR", "AES-256-CTR"})
        if (EVP_CIPHER* x = EVP_CIPHER_fetch(nullptr, c, nullptr)) EVP_CIPHER_free(x);
    if (EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr)) EVP_MAC_free(mac);
    if (EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "PBKDF2", nullptr)) EVP_KDF_free(kdf);
    // The legacy entry points (EVP_sha256() in EVP_Digest) fetch through the same cache; one real use
    // of each settles whatever else they initialise.
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest("", 0, out, &len, EVP_sha256(), nullptr);
    EVP_Digest("", 0, out, &len, EVP_sha1(), nullptr);
}

}  // namespace mugaika
