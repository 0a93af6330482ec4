// The object-level walk of a PDF with poppler's core parser: what the original held (actions,
// JavaScript, forms, embedded files, oversized images), for honest findings and for extracting
// attachments. Nothing here decides what is released: the output is rebuilt from the rendered pages.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

class PDFDoc;

namespace mugaika::pdf {

struct EmbeddedFile {
    std::string name;              // from the file specification (/UF, else /F), UTF-8; may be empty
    std::int64_t declared_size = -1;   // /Params /Size when present
    int object = 0;                // object number of the embedded file stream
    int generation = 0;
};

struct ObjectReport {
    std::map<std::string, int> javascript;   // where it was found ("open action", "page", ...) -> count
    int launch = 0;
    int goto_remote = 0;       // GoToR
    int goto_embedded = 0;     // GoToE
    int submit_form = 0;
    int import_data = 0;
    int uri = 0;
    int richmedia = 0;         // RichMedia annotations and their execute actions
    int additional_actions = 0;   // /AA dictionaries (page, annotation, field, document)
    int other_actions = 0;     // Named, Movie, Sound, Hide, SetOCGState, Rendition, Trans, GoTo3DView
    bool open_action = false;  // the catalog has an /OpenAction
    bool acroform = false;
    bool xfa = false;
    bool encrypted = false;
    bool invisible_text = false;   // some page content or form sets text render mode 3 or 7    // encrypted, but opened without a password (owner password only)
    std::vector<EmbeddedFile> embedded_files;
    std::uint64_t largest_image_pixels = 0;  // Width x Height of the largest image (references resolved), or JBIG2 region
    std::uint64_t largest_function_samples = 0;  // samples of the largest sampled function (product of /Size x outputs)
    std::size_t objects = 0;   // objects visited
};

// One parsed document (the core parser over the caller's bytes, which must outlive it).
class ObjectWalk {
public:
    // Throws SanitizeError(malformed) when poppler cannot read the document at all.
    explicit ObjectWalk(std::string_view bytes);
    ~ObjectWalk();
    ObjectWalk(const ObjectWalk&) = delete;
    ObjectWalk& operator=(const ObjectWalk&) = delete;

    // Walks everything reachable from the trailer, then every object the cross-reference table knows
    // that nothing references (leftovers of incremental updates). `tick` is called every few thousand
    // objects so the caller can enforce its time budget (it throws to stop).
    ObjectReport scan(const std::function<void()>& tick);

    // The decoded bytes of an embedded file stream, or nullopt when they exceed `max_bytes` or the
    // stream cannot be read.
    std::optional<std::string> read_stream(int object, int generation, std::uint64_t max_bytes);

    // The parsed document, for other passes of the core parser (pdf_invisible_text.cpp).
    PDFDoc* document();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mugaika::pdf
