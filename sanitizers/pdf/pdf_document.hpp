// The document as poppler-glib sees it: opened once over the caller's bytes for drawing its pages.
#pragma once

#include <string>
#include <string_view>

typedef struct _PopplerDocument PopplerDocument;

namespace mugaika::pdf {

class RenderDocument {
public:
    // Throws SanitizeError(encrypted) when a user password is needed, SanitizeError(malformed) when
    // poppler cannot open it. The bytes must outlive the document.
    explicit RenderDocument(std::string_view bytes);
    ~RenderDocument();
    RenderDocument(const RenderDocument&) = delete;
    RenderDocument& operator=(const RenderDocument&) = delete;

    PopplerDocument* get() const { return doc_; }
    int pages() const;
    std::string title() const;   // UTF-8 as poppler decoded it, "" when there is none

private:
    PopplerDocument* doc_ = nullptr;
};

}  // namespace mugaika::pdf
