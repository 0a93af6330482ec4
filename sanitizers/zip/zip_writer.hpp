// Writes a fresh zip in memory with libzip: deflate (or store), UTF-8 names, no encryption, no extra
// attributes. Shared by every sanitizer that rebuilds a zip-based container (OOXML, archives).
// Members are deflated by libdeflate, which at the same level is about three times as fast as
// zlib and writes a little less (docs/ooxml.md, Benchmark); libzip lays out the archive. A member
// that deflate would not make smaller is stored.
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <string_view>

namespace mugaika::zip {

// The deflate level, zlib's own default: libzip's default (9) is about three times slower for some 4%
// less output on Office XML; a gateway's throughput matters more than those bytes. The same number
// is libdeflate's level here and zlib's in bench/ooxml's floor, which prints both output sizes.
inline constexpr int kDeflateLevel = 6;

// 1980-01-02: a fixed time for members whose date says nothing (output depends on the input only).
inline constexpr std::time_t kFixedTime = 315532800 + 86400;

class ZipWriter {
public:
    ZipWriter();   // throws SanitizeError(internal) when libzip cannot start an archive
    ~ZipWriter();
    ZipWriter(const ZipWriter&) = delete;
    ZipWriter& operator=(const ZipWriter&) = delete;

    // `name` is used as given (the caller made it safe); `compress` false stores the bytes.
    void add(const std::string& name, const std::string& bytes, bool compress = true, std::time_t mtime = kFixedTime);
    // The same without a copy: `bytes` must stay alive and unchanged until finish() returns.
    void add_borrowed(const std::string& name, std::string_view bytes, bool compress = true, std::time_t mtime = kFixedTime);
    // The archive's bytes; the writer is spent afterwards.
    std::string finish();

private:
    bool add_deflated(const std::string& name, std::string_view bytes, std::time_t mtime);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mugaika::zip
