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
    // How libmagic's compiled database is held. mapped: libmagic maps the file itself and pages it in
    // as it reads it (cheap for a process that detects once and exits). resident: read once into
    // anonymous memory shared by both handles; for a process that forks many detecting children (the
    // worker zygote): a fork copies the page tables of anonymous memory, whereas a file mapping is
    // faulted in again, page by page, in every child (libmagic walks most of its 8 MB on each call).
    enum class Database { mapped, resident };

    // resident falls back to mapped where the resident form could differ from what libmagic would load
    // itself (more than one compiled database, or a source magic file with the site's own rules).
    explicit Detector(Database database = Database::mapped);
    Database database() const { return resident_ ? Database::resident : Database::mapped; }
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
    struct Resident;
    std::unique_ptr<Resident> resident_;
    static std::unique_ptr<Resident> read_database();
};

}  // namespace mugaika
