// Positive selection: which relationships (type + target content type) a rebuilt package may keep,
// per format family, and how to name what is dropped.
#pragma once

#include <string>
#include <string_view>

namespace mugaika::ooxml {

enum class Family { word, sheet, slides };

struct MainType {
    std::string_view content_type;   // main part content type as found
    Family family;
    std::string_view output_type;    // file type id of the rebuilt package (macro-free)
    std::string_view output_content_type;   // main part content type written
    bool macro_enabled;
};

// nullptr for anything we do not rebuild (xlsb, strict OOXML, unknown).
const MainType* find_main_type(std::string_view content_type);

inline constexpr std::string_view kOfficeDocument =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
inline constexpr std::string_view kHyperlink =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink";

enum class Metadata { none, core, extended, custom, thumbnail };
Metadata metadata_kind(std::string_view rel_type);

// True when an internal relationship of this type to a part of this content type may be kept.
bool allowed(Family family, std::string_view rel_type, std::string_view content_type);
bool is_image_type(std::string_view content_type);
bool is_xml_type(std::string_view content_type);
// The image's bytes look like its content type says (no HTML or script dressed as a PNG).
bool image_magic_matches(std::string_view content_type, std::string_view bytes);

struct DropInfo {
    std::string_view kind;   // finding kind
    std::string_view ja;     // for the officer
};
// What a dropped relationship (or unreferenced part, by its name) was.
DropInfo classify_relationship(std::string_view rel_type, bool external);
DropInfo classify_part_name(std::string_view part);

}  // namespace mugaika::ooxml
