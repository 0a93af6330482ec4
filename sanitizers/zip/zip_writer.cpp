#include "zip_writer.hpp"

#include <libdeflate.h>
#include <zip.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::zip {

struct ZipWriter::Impl {
    zip_source_t* src = nullptr;   // the in-memory file; kept alive past zip_close to read it back
    zip_t* archive = nullptr;
    libdeflate_compressor* deflater = nullptr;   // made with the first member to deflate
    std::string scratch;                          // deflate's output, reused from member to member
    ~Impl() {
        if (archive) zip_discard(archive);
        if (src) zip_source_free(src);
        if (deflater) libdeflate_free_compressor(deflater);
    }
};

ZipWriter::ZipWriter() : impl_(std::make_unique<Impl>()) {
    zip_error_t err;
    zip_error_init(&err);
    impl_->src = zip_source_buffer_create(nullptr, 0, 0, &err);
    if (!impl_->src) throw SanitizeError(reason::internal, "zip_source_buffer_create failed");
    zip_source_keep(impl_->src);
    impl_->archive = zip_open_from_source(impl_->src, ZIP_TRUNCATE, &err);
    zip_error_fini(&err);
    if (!impl_->archive) throw SanitizeError(reason::internal, "cannot create a zip in memory");
}

ZipWriter::~ZipWriter() = default;

namespace {

// A member deflated before libzip sees it. libzip takes the stated method, sizes and CRC and copies
// the bytes as they are, the way it copies a member of another archive without inflating it.
struct Deflated {
    std::string bytes;       // raw deflate (no zlib header)
    zip_uint64_t size = 0;   // inflated
    zip_uint32_t crc = 0;
    zip_uint64_t offset = 0; // read position
    zip_error_t error{};
};

zip_int64_t deflated_source(void* state, void* data, zip_uint64_t length, zip_source_cmd_t command) {
    auto* d = static_cast<Deflated*>(state);
    switch (command) {
    case ZIP_SOURCE_OPEN: d->offset = 0; return 0;
    case ZIP_SOURCE_READ: {
        zip_uint64_t n = std::min<zip_uint64_t>(length, d->bytes.size() - d->offset);
        std::memcpy(data, d->bytes.data() + d->offset, n);
        d->offset += n;
        return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_CLOSE: return 0;
    case ZIP_SOURCE_STAT: {
        auto* st = static_cast<zip_stat_t*>(data);
        zip_stat_init(st);
        st->size = d->size;
        st->comp_size = d->bytes.size();
        st->comp_method = ZIP_CM_DEFLATE;
        st->crc = d->crc;
        st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC;
        return sizeof(*st);
    }
    case ZIP_SOURCE_ERROR: return zip_error_to_data(&d->error, data, length);
    case ZIP_SOURCE_FREE:
        zip_error_fini(&d->error);
        delete d;
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                              ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, ZIP_SOURCE_SUPPORTS, -1);
    default: zip_error_set(&d->error, ZIP_ER_OPNOTSUPP, 0); return -1;
    }
}

void add_source(zip_t* archive, const std::string& name, zip_source_t* s, bool store, std::time_t mtime) {
    zip_int64_t idx = zip_file_add(archive, name.c_str(), s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(s);
        throw SanitizeError(reason::internal, "cannot add " + name + " to the rebuilt zip");
    }
    if (store) zip_set_file_compression(archive, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
    zip_file_set_mtime(archive, static_cast<zip_uint64_t>(idx), mtime, 0);
}

}  // namespace

// Deflates `bytes` with libdeflate and adds them as such; false when deflate would not make them
// smaller (the caller stores them).
bool ZipWriter::add_deflated(const std::string& name, std::string_view bytes, std::time_t mtime) {
    if (bytes.empty()) return false;
    if (!impl_->deflater && !(impl_->deflater = libdeflate_alloc_compressor(kDeflateLevel))) throw std::bad_alloc();
    std::string& out = impl_->scratch;
    out.resize(std::max(out.size(), libdeflate_deflate_compress_bound(impl_->deflater, bytes.size())));
    std::size_t n = libdeflate_deflate_compress(impl_->deflater, bytes.data(), bytes.size(), out.data(), out.size());
    if (n == 0 || n >= bytes.size()) return false;
    auto d = std::make_unique<Deflated>();
    zip_error_init(&d->error);
    d->bytes.assign(out.data(), n);
    d->size = bytes.size();
    d->crc = libdeflate_crc32(0, bytes.data(), bytes.size());
    zip_source_t* s = zip_source_function(impl_->archive, deflated_source, d.get());
    if (!s) throw SanitizeError(reason::internal, "zip_source_function failed");
    d.release();   // the source owns it now (ZIP_SOURCE_FREE)
    add_source(impl_->archive, name, s, false, mtime);
    return true;
}

void ZipWriter::add(const std::string& name, const std::string& bytes, bool compress, std::time_t mtime) {
    if (!impl_->archive) throw SanitizeError(reason::internal, "zip writer used after finish");
    if (compress && add_deflated(name, bytes, mtime)) return;
    // libzip takes ownership of a non-empty copy; an empty member gets no buffer at all (libzip would
    // not free a zero-length one).
    void* copy = nullptr;
    if (!bytes.empty()) {
        copy = std::malloc(bytes.size());
        if (!copy) throw std::bad_alloc();
        std::memcpy(copy, bytes.data(), bytes.size());
    }
    zip_source_t* s = zip_source_buffer(impl_->archive, copy, bytes.size(), copy ? 1 : 0);
    if (!s) {
        std::free(copy);
        throw SanitizeError(reason::internal, "zip_source_buffer failed");
    }
    add_source(impl_->archive, name, s, true, mtime);
}

void ZipWriter::add_borrowed(const std::string& name, std::string_view bytes, bool compress, std::time_t mtime) {
    if (!impl_->archive) throw SanitizeError(reason::internal, "zip writer used after finish");
    if (compress && add_deflated(name, bytes, mtime)) return;
    // libzip reads the caller's buffer when the archive is written (finish) and never frees it.
    zip_source_t* s = zip_source_buffer(impl_->archive, bytes.empty() ? nullptr : bytes.data(), bytes.size(), 0);
    if (!s) throw SanitizeError(reason::internal, "zip_source_buffer failed");
    add_source(impl_->archive, name, s, true, mtime);
}

std::string ZipWriter::finish() {
    if (!impl_->archive) throw SanitizeError(reason::internal, "zip writer finished twice");
    zip_t* z = impl_->archive;
    impl_->archive = nullptr;
    if (zip_close(z) != 0) {
        zip_discard(z);
        throw SanitizeError(reason::internal, "cannot finish the rebuilt zip");
    }
    zip_source_t* src = impl_->src;
    if (zip_source_open(src) != 0) throw SanitizeError(reason::internal, "cannot read the rebuilt zip");
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    std::string out(static_cast<std::size_t>(size < 0 ? 0 : size), '\0');
    zip_int64_t got = out.empty() ? 0 : zip_source_read(src, out.data(), static_cast<zip_uint64_t>(out.size()));
    zip_source_close(src);
    if (got != size) throw SanitizeError(reason::internal, "short read of the rebuilt zip");
    return out;
}

}  // namespace mugaika::zip
