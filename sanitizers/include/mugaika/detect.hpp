// Type detection on the bytes, never the name: libmagic plus the structural checks it misses.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mugaika/file_type.hpp"
#include "mugaika/outcome.hpp"

namespace mugaika {

struct Detection {
    const FileType* type = nullptr;
    std::string magic_mime;          // what libmagic said ("" where the structure decided without it)
    std::string magic_description;   // libmagic's words ("" unless asked for)
    std::vector<Finding> findings;   // e.g. detect.polyglot, detect.trailing_data
};

// Owns a libmagic handle (not thread-safe: one Detector per thread or process).
class Detector {
public:
    Detector();
    ~Detector();
    Detector(const Detector&) = delete;
    Detector& operator=(const Detector&) = delete;

    // Whether libmagic's description is wanted: only for what a person reads (the report of an item);
    // it never decides anything, and costs as much as the detection itself.
    enum class Describe { no, yes };

    // `name_hint` only refines between text flavours (a .csv text is csv); it never overrides content.
    Detection detect(std::string_view bytes, std::string_view name_hint = {}, Describe describe = Describe::yes) const;

private:
    struct Magic;
    std::unique_ptr<Magic> magic_;
};

}  // namespace mugaika
