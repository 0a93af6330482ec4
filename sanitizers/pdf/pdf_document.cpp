#include "pdf_document.hpp"

#include <poppler.h>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::pdf {

RenderDocument::RenderDocument(std::string_view bytes) {
    // A static GBytes borrows the caller's buffer: no copy of a 100 MB input.
    GBytes* data = g_bytes_new_static(bytes.data(), bytes.size());
    GError* error = nullptr;
    doc_ = poppler_document_new_from_bytes(data, nullptr, &error);
    g_bytes_unref(data);
    if (doc_) return;
    bool needs_password = error && error->domain == POPPLER_ERROR && error->code == POPPLER_ERROR_ENCRYPTED;
    std::string detail = error && error->message ? error->message : "unknown error";
    if (error) g_error_free(error);
    if (needs_password)
        throw SanitizeError(reason::encrypted, "the PDF needs a user password to open: " + detail);
    throw SanitizeError(reason::malformed, "poppler cannot open the PDF: " + detail);
}

RenderDocument::~RenderDocument() {
    if (doc_) g_object_unref(doc_);
}

int RenderDocument::pages() const { return poppler_document_get_n_pages(doc_); }

std::string RenderDocument::title() const {
    gchar* t = poppler_document_get_title(doc_);
    std::string out = t ? t : "";
    g_free(t);
    return out;
}

}  // namespace mugaika::pdf
