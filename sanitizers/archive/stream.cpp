#include "stream.hpp"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "../zip/safe_zip.hpp"
#include "mugaika/reasons.hpp"
#include "packed_reader.hpp"

namespace mugaika::archive {

std::optional<Stream> stream_format(std::string_view id) {
    if (id == "gzip") return Stream::gzip;
    if (id == "bzip2") return Stream::bzip2;
    if (id == "xz") return Stream::xz;
    if (id == "lzma") return Stream::lzma;
    return std::nullopt;
}

namespace {

constexpr std::uint64_t kMaxMemberBytes = 256ull << 20;
constexpr std::uint64_t kRatioFloor = 1ull << 20;
constexpr std::uint64_t kDecoderMemory = 256ull << 20;   // xz -9 needs 65 MiB; more is a bomb of its own
constexpr std::size_t kChunk = 65536;

std::string_view label(Stream s) {
    switch (s) {
    case Stream::gzip: return "gzip";
    case Stream::bzip2: return "bzip2";
    case Stream::xz: return "xz";
    case Stream::lzma: return "lzma";
    }
    return "stream";
}

// The output so far, against every bound.
class Sink {
public:
    Sink(std::string_view in, Stream s, Context& ctx)
        : ctx_(ctx), label_(label(s)),
          limit_(std::min({kMaxMemberBytes, ctx.limits().max_expanded_bytes})),
          ratio_cap_(std::max(kRatioFloor, static_cast<std::uint64_t>(in.size()) * ctx.limits().max_ratio)) {}

    char* space() {
        ctx_.check_time();
        std::size_t used = out.size();
        out.resize(used + kChunk);
        return out.data() + used;
    }
    // `unused` bytes of the last space() were not written.
    void commit(std::size_t unused) {
        out.resize(out.size() - unused);
        std::uint64_t n = out.size();
        if (n > limit_) throw SanitizeError(reason::limit_size, std::string(label_) + " content larger than " + std::to_string(limit_) + " bytes");
        if (n > ctx_.budget().expanded_left())
            throw SanitizeError(reason::limit_expanded, "expanded data exceeds " + std::to_string(ctx_.limits().max_expanded_bytes) + " bytes");
        if (n > ratio_cap_)
            throw SanitizeError(reason::limit_ratio, std::string(label_) + " content expands more than " +
                                                         std::to_string(ctx_.limits().max_ratio) + " times");
    }
    std::string out;

private:
    Context& ctx_;
    std::string_view label_;
    std::uint64_t limit_, ratio_cap_;
};

[[noreturn]] void after_end(std::string_view rest, std::string_view magic, std::string_view what, Context& ctx) {
    std::string detail = rest.starts_with(magic) ? "several " + std::string(what) + " streams in one file"
                                                 : std::to_string(rest.size()) + " bytes after the end of the " +
                                                       std::string(what) + " stream";
    ctx.add("archive.ambiguous", Action::blocked, detail,
            "圧縮ファイルの後ろに別のデータが続いていて、展開する製品によって中身が変わるおそれがあります。");
    throw SanitizeError(reason_ambiguous, detail);
}

// RFC 1952's header: flags we must understand, an extra field that must be empty, the stored name.
std::string gzip_header(std::string_view in, Context& ctx) {
    if (in.size() < 18 || static_cast<unsigned char>(in[0]) != 0x1f || static_cast<unsigned char>(in[1]) != 0x8b)
        throw SanitizeError(reason::malformed, "gzip: no gzip header");
    if (in[2] != 8) throw SanitizeError(reason::malformed, "gzip: unknown compression method");
    unsigned flags = static_cast<unsigned char>(in[3]);
    if (flags & 0xe0) throw SanitizeError(reason::malformed, "gzip: reserved header flags set");
    std::size_t at = 10;
    if (flags & 0x04) {
        std::size_t xlen = static_cast<unsigned char>(in[at]) | static_cast<unsigned char>(in[at + 1]) << 8;
        // Data in the extra field is seen by the tools that know its tag and by nobody else (BGZF
        // indexes, Mitra's polyglots): what the file means then depends on who reads it.
        if (xlen) {
            ctx.add("archive.ambiguous", Action::blocked, "gzip extra field of " + std::to_string(xlen) + " bytes",
                    "gzipのヘッダーに追加データが含まれていて、読む製品によって扱いが変わるおそれがあります。");
            throw SanitizeError(reason_ambiguous, "gzip extra field carrying " + std::to_string(xlen) + " bytes");
        }
        at += 2;
    }
    std::string name;
    if (flags & 0x08) {
        std::size_t end = in.find('\0', at);
        if (end == std::string_view::npos) throw SanitizeError(reason::malformed, "gzip: unterminated file name");
        name = std::string(in.substr(at, std::min<std::size_t>(end - at, 1024)));
    }
    return name;
}

Decompressed gunzip(std::string_view in, Context& ctx, Sink& sink) {
    Decompressed d;
    d.stored_name = gzip_header(in, ctx);
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw SanitizeError(reason::internal, "inflateInit2 failed");
    struct End { z_stream* z; ~End() { inflateEnd(z); } } end{&z};
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT32_MAX));
    for (;;) {
        z.next_out = reinterpret_cast<Bytef*>(sink.space());
        z.avail_out = kChunk;
        int r = inflate(&z, Z_NO_FLUSH);
        sink.commit(z.avail_out);
        if (r == Z_STREAM_END) break;
        if (r == Z_BUF_ERROR || (r == Z_OK && z.avail_in == 0 && z.avail_out != 0))
            throw SanitizeError(reason::malformed, "gzip: truncated data");
        if (r != Z_OK)   // a damaged stream, a CRC or length that does not match
            throw SanitizeError(reason::malformed, std::string("gzip: ") + (z.msg ? z.msg : "damaged data"));
    }
    std::string_view rest = in.substr(in.size() - z.avail_in);
    if (!rest.empty()) after_end(rest, "\x1f\x8b", "gzip", ctx);
    d.bytes = std::move(sink.out);
    return d;
}

Decompressed bunzip(std::string_view in, Context& ctx, Sink& sink) {
    bz_stream z{};
    if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK) throw SanitizeError(reason::internal, "BZ2_bzDecompressInit failed");
    struct End { bz_stream* z; ~End() { BZ2_bzDecompressEnd(z); } } end{&z};
    z.next_in = const_cast<char*>(in.data());
    z.avail_in = static_cast<unsigned>(std::min<std::size_t>(in.size(), UINT32_MAX));
    for (;;) {
        z.next_out = sink.space();
        z.avail_out = kChunk;
        int r = BZ2_bzDecompress(&z);
        sink.commit(z.avail_out);
        if (r == BZ_STREAM_END) break;
        if (r != BZ_OK) throw SanitizeError(reason::malformed, "bzip2: damaged data (" + std::to_string(r) + ")");
        if (z.avail_in == 0 && z.avail_out != 0) throw SanitizeError(reason::malformed, "bzip2: truncated data");
    }
    std::string_view rest = in.substr(in.size() - z.avail_in);
    if (!rest.empty()) after_end(rest, "BZh", "bzip2", ctx);
    return Decompressed{std::move(sink.out), {}};
}

Decompressed unxz(std::string_view in, Stream s, Context& ctx, Sink& sink) {
    lzma_stream z = LZMA_STREAM_INIT;
    // One stream only (no LZMA_CONCATENATED): what follows it is judged below. A check type liblzma
    // cannot verify is not skipped silently.
    lzma_ret init = s == Stream::xz ? lzma_stream_decoder(&z, kDecoderMemory, LZMA_TELL_UNSUPPORTED_CHECK)
                                    : lzma_alone_decoder(&z, kDecoderMemory);
    if (init != LZMA_OK) throw SanitizeError(reason::internal, "liblzma decoder init failed");
    struct End { lzma_stream* z; ~End() { lzma_end(z); } } end{&z};
    z.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    z.avail_in = in.size();
    for (;;) {
        z.next_out = reinterpret_cast<std::uint8_t*>(sink.space());
        z.avail_out = kChunk;
        lzma_ret r = lzma_code(&z, LZMA_FINISH);
        sink.commit(z.avail_out);
        if (r == LZMA_STREAM_END) break;
        if (r == LZMA_MEMLIMIT_ERROR)
            throw SanitizeError(reason::limit_memory, std::string(label(s)) + ": the decoder needs more than 256 MiB");
        if (r != LZMA_OK) throw SanitizeError(reason::malformed, std::string(label(s)) + ": damaged or truncated data (" +
                                                                      std::to_string(static_cast<int>(r)) + ")");
    }
    std::string_view rest = in.substr(in.size() - z.avail_in);
    if (!rest.empty()) after_end(rest, s == Stream::xz ? std::string_view("\xFD" "7zXZ", 5) : std::string_view("]\0\0", 3),
                                 label(s), ctx);
    return Decompressed{std::move(sink.out), {}};
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

Decompressed decompress_stream(std::string_view in, Stream format, Context& ctx) {
    Sink sink(in, format, ctx);
    switch (format) {
    case Stream::gzip: return gunzip(in, ctx, sink);
    case Stream::bzip2: return bunzip(in, ctx, sink);
    case Stream::xz:
    case Stream::lzma: return unxz(in, format, ctx, sink);
    }
    throw SanitizeError(reason::internal, "unknown stream format");
}

std::string inner_name(std::string_view outer, Stream format, std::string_view stored_name, std::string* noted) {
    // Extension -> what the content is called without it.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kExtensions{{
        {".gz", ""}, {".tgz", ".tar"}, {".taz", ".tar"}, {".gzip", ""}, {".bz2", ""},
        {".tbz2", ".tar"}, {".tbz", ".tar"}, {".xz", ""}, {".txz", ".tar"}, {".lzma", ""}, {".tlz", ".tar"}}};
    auto belongs = [&](std::string_view ext) {
        switch (format) {
        case Stream::gzip: return ext == ".gz" || ext == ".tgz" || ext == ".taz" || ext == ".gzip";
        case Stream::bzip2: return ext == ".bz2" || ext == ".tbz2" || ext == ".tbz";
        case Stream::xz: return ext == ".xz" || ext == ".txz";
        case Stream::lzma: return ext == ".lzma" || ext == ".tlz";
        }
        return false;
    };
    std::string stored;
    if (!stored_name.empty()) {
        stored = zip::decode_name(stored_name, false);
        auto sep = stored.find_last_of("/\\");
        if (sep != std::string::npos) stored = stored.substr(sep + 1);
    }
    std::string low = lower(outer);
    for (const auto& [ext, replacement] : kExtensions) {
        if (!belongs(ext) || !low.ends_with(ext) || low.size() == ext.size()) continue;
        std::string name = std::string(outer.substr(0, outer.size() - ext.size())) + std::string(replacement);
        // The name it was sent under is what the person saw and what the gateway checked.
        if (noted && !stored.empty() && stored != name)
            *noted = "the gzip header names the file " + stored + "; the name it was sent under is used: " + name;
        return name;
    }
    if (!stored.empty()) return stored;
    return std::string(outer);
}

}  // namespace mugaika::archive
