// Durable, atomic file writes: temp file in the same folder, fsync, rename, fsync of the folder.
// A reader (a staff member on the LGWAN side, the relay, a crash recovery) sees the whole file or
// nothing; never a partial one.
#pragma once

#include <filesystem>
#include <string>
#include <cstdint>
#include <string_view>

namespace mugaika {

// Writes `bytes` as dir/name. Never overwrites: when the name is taken, "name (2).ext", "name (3).ext"
// ... is used instead (the check and the rename are one atomic step). Returns the path written.
// A name that is not one plain file name (empty, ".", "..", a '/' or a NUL in it) is refused (EINVAL).
// Throws std::system_error on any I/O failure; the temp file is removed then.
std::filesystem::path write_new_file(const std::filesystem::path& dir, std::string_view name,
                                     std::string_view bytes);

// Writes dir/name, replacing any existing file atomically (for state files, not for released output).
void replace_file(const std::filesystem::path& dir, std::string_view name, std::string_view bytes);

// fsyncs a directory so that a rename into it survives a crash.
void sync_directory(const std::filesystem::path& dir);

// Writes dir/name through a temp file and a rename, without fsync: for state that is rewritten or
// recomputed anyway (after a power failure the old or the new version is there, never a mix).
void replace_file_lazily(const std::filesystem::path& dir, std::string_view name, std::string_view bytes);

// Every fsync the gateway and the quarantine make goes through durable_sync(), so that they can be
// counted: /metrics (mugaika_fsyncs_total) and the tests that hold each path to its budget
// (docs/service.md, "What is made durable, and why"). Returns ::fsync's result (0, or -1 and errno).
enum class SyncKind { file, directory };
int durable_sync(int fd, SyncKind kind);
struct SyncCounts {
    std::uint64_t files = 0, directories = 0;
    std::uint64_t total() const { return files + directories; }
};
// The process's fsyncs so far (all threads).
SyncCounts sync_counts();

// Reads a whole file; throws std::system_error. `max_bytes` bounds what is read (std::length_error).
std::string read_file(const std::filesystem::path& path, std::uint64_t max_bytes);

// "name (n).ext" for the n-th candidate (n >= 2); the first candidate is the name itself.
std::string numbered_name(std::string_view name, int n);

}  // namespace mugaika

namespace mugaika {
// SHA-256 of a file, streamed (for inputs too large to read whole). Throws std::system_error.
std::string sha256_file(const std::filesystem::path& path);
}  // namespace mugaika

namespace mugaika {
// Fetches the OpenSSL algorithms the gateway uses once, before the service starts its threads.
// OpenSSL 3 fills its algorithm cache under a write lock the first time an algorithm is used; a worker
// forked while another thread holds that lock inherits it locked and hangs until its wall clock runs
// out. Once cached, later uses only take the lock for reading. (An exec'd worker does not need this.)
void warm_up_crypto();
}  // namespace mugaika
