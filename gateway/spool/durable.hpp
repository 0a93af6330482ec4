// Small durable-file helpers for the spool: every file is fsync'd before the rename that publishes it.
// The service's fsyncs are made here and in common/atomic_file.cpp, nowhere else.
#pragma once

#include <filesystem>
#include <string_view>

namespace mugaika::durable {

// Writes `bytes` to `path` (created, must not exist) and fsyncs it. Throws std::system_error.
void write(const std::filesystem::path& path, std::string_view bytes);
// Copies `from` to `to` (created, must not exist) and fsyncs it; returns the bytes copied.
std::uint64_t copy(const std::filesystem::path& from, const std::filesystem::path& to);
// The same from an open file (read from its current offset to its end).
std::uint64_t copy_fd(int from, const std::filesystem::path& to);
// write(), then fsync of the folder that names the file: the file is there after a power failure.
void write_named(const std::filesystem::path& path, std::string_view bytes);
// rename(2) then fsync of the folder `to` is in. Throws std::system_error.
void rename(const std::filesystem::path& from, const std::filesystem::path& to);
// Atomic replace (temp + rename) without fsync: for state that survives a crash of the process (the
// page cache keeps it) and whose loss in a power failure is harmless because it can be recomputed.
void replace_lazily(const std::filesystem::path& path, std::string_view bytes);
// link(2): a second name for `from`; false when `to` exists. Throws on other errors. No fsync.
bool link_noreplace(const std::filesystem::path& from, const std::filesystem::path& to);
// renameat2(RENAME_NOREPLACE); false when `to` exists. Throws on other errors. No fsync.
bool rename_noreplace(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace mugaika::durable
