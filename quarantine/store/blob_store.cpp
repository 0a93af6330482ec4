#include "mugaika/quarantine/blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "mugaika/atomic_file.hpp"

namespace mugaika::quarantine {
namespace fs = std::filesystem;

std::string blob_aad(std::string_view sha) { return "mugaika.blob/1:" + std::string(sha); }

BlobStore::BlobStore(fs::path root, SecretKey key) : root_(std::move(root)), key_(std::move(key)) {
    fs::create_directories(root_ / "objects");
    // The store holds only ciphertext, but its names reveal which files were held: keep it private.
    fs::permissions(root_, fs::perms::owner_all, fs::perm_options::replace);
}

fs::path BlobStore::path_of(std::string_view sha) const {
    // The name goes into a path: only a real digest may (no "..", no slashes).
    if (!is_sha256_hex(sha)) throw std::invalid_argument("not a SHA-256 object name");
    return root_ / "objects" / std::string(sha.substr(0, 2)) / (std::string(sha) + ".mqe");
}

bool BlobStore::exists(std::string_view sha) const {
    std::error_code ec;
    return fs::is_regular_file(path_of(sha), ec);
}

std::string BlobStore::put(std::string_view plaintext) {
    std::string sha = sha256_hex(plaintext);
    fs::path p = path_of(sha);
    if (exists(sha)) return sha;
    fs::create_directories(p.parent_path());
    // replace_file: temp + fsync + rename + fsync(dir). Two writers of the same content race harmlessly.
    replace_file(p.parent_path(), p.filename().string(), key_.seal(plaintext, blob_aad(sha)));
    return sha;
}

std::string BlobStore::get(std::string_view sha, std::uint64_t max_bytes) const {
    std::string sealed = read_file(path_of(sha), max_bytes + 64);
    std::string plain = key_.open(sealed, blob_aad(sha));
    if (sha256_hex(plain) != sha) throw CryptoError("object " + std::string(sha) + " does not match its name");
    return plain;
}

void BlobStore::shred(std::string_view sha) { shred_file(path_of(sha)); }

void shred_file(const fs::path& p) {
    int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return;
        throw std::system_error(errno, std::generic_category(), "open " + p.string());
    }
    struct stat st{};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        throw std::system_error(e, std::generic_category(), "stat " + p.string());
    }
    std::string zeros(1 << 16, '\0');
    off_t done = 0;
    while (done < st.st_size) {
        std::size_t n = static_cast<std::size_t>(std::min<off_t>(st.st_size - done, static_cast<off_t>(zeros.size())));
        ssize_t w = ::pwrite(fd, zeros.data(), n, done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            ::close(fd);
            throw std::system_error(e, std::generic_category(), "overwrite " + p.string());
        }
        done += w;
    }
    if (durable_sync(fd, SyncKind::file) != 0) {
        int e = errno;
        ::close(fd);
        throw std::system_error(e, std::generic_category(), "fsync " + p.string());
    }
    ::close(fd);
    if (::unlink(p.c_str()) != 0 && errno != ENOENT)
        throw std::system_error(errno, std::generic_category(), "unlink " + p.string());
    sync_directory(p.parent_path());
}

}  // namespace mugaika::quarantine
