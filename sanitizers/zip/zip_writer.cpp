#include "zip_writer.hpp"

#include <zip.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::zip {

struct ZipWriter::Impl {
    zip_source_t* src = nullptr;   // the in-memory file; kept alive past zip_close to read it back
    zip_t* archive = nullptr;
    ~Impl() {
        if (archive) zip_discard(archive);
        if (src) zip_source_free(src);
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

void add_source(zip_t* archive, const std::string& name, zip_source_t* s, bool compress, std::time_t mtime) {
    zip_int64_t idx = zip_file_add(archive, name.c_str(), s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(s);
        throw SanitizeError(reason::internal, "cannot add " + name + " to the rebuilt zip");
    }
    zip_set_file_compression(archive, static_cast<zip_uint64_t>(idx), compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                             compress ? kDeflateLevel : 0);
    zip_file_set_mtime(archive, static_cast<zip_uint64_t>(idx), mtime, 0);
}

}  // namespace

void ZipWriter::add(const std::string& name, const std::string& bytes, bool compress, std::time_t mtime) {
    if (!impl_->archive) throw SanitizeError(reason::internal, "zip writer used after finish");
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
    add_source(impl_->archive, name, s, compress, mtime);
}

void ZipWriter::add_borrowed(const std::string& name, std::string_view bytes, bool compress, std::time_t mtime) {
    if (!impl_->archive) throw SanitizeError(reason::internal, "zip writer used after finish");
    // libzip reads the caller's buffer when the archive is written (finish) and never frees it.
    zip_source_t* s = zip_source_buffer(impl_->archive, bytes.empty() ? nullptr : bytes.data(), bytes.size(), 0);
    if (!s) throw SanitizeError(reason::internal, "zip_source_buffer failed");
    add_source(impl_->archive, name, s, compress, mtime);
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
