// The catalogue of file types the engine knows by content. A type id is what detection returns, what
// the policy's [types] table is keyed by, and what the registry looks sanitizers up with.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mugaika {

enum class TypeAction { reconstruct, convert, block };

std::string_view to_string(TypeAction a);
std::optional<TypeAction> parse_type_action(std::string_view s);

enum class Category {
    text, document, spreadsheet, presentation, pdf, mail, archive, image, web, encrypted,
    executable, script, shortcut, installer, disk_image, unknown,
};

struct FileType {
    std::string_view id;            // "pdf", "docx", "docm", "text", "exe", ...
    Category category;
    std::string_view mime;          // the MIME type outputs of this type carry
    std::string_view extensions;    // space-separated, lowercase, canonical first ("" for none)
    TypeAction default_action;      // what the shipped policy does; unknown and executables block
};

// The type's label for people (「PDF文書」), from the one table of labels in common/ (labels.hpp) that the
// officer UI reads too.
std::string_view label_ja(const FileType& type);

// Every known type, in a stable order.
std::span<const FileType> file_types();
// The type with this id, or nullptr.
const FileType* find_file_type(std::string_view id);
// The "unknown" type (always present).
const FileType& unknown_file_type();

// True when `ext` (lowercase, without the dot) is one this type is normally stored under.
bool type_accepts_extension(const FileType& type, std::string_view ext);
// The type's canonical extension, "" when it has none.
std::string_view canonical_extension(const FileType& type);
// The extension claims a different known type ("invoice.pdf" that is really a Word file): the rule
// [names] extension_mismatch acts on, in the engine and in `mugaika detect` alike.
bool extension_claims_other_type(const FileType& type, std::string_view ext);

// Outputs whose bytes are plain text (text, CSV, a rebuilt mail): on Windows such a file acts through
// its name alone (.iqy queries a web server, .rdp connects, .theme fetches a UNC wallpaper, .shtml runs
// script), so it may cross only under an extension from `allowed`; any other name gets `append`.
struct PlainTextNaming {
    std::string_view allowed;   // space-separated, lowercase
    std::string_view append;    // the extension appended to any other name
};
// nullptr for types whose output is not plain text.
const PlainTextNaming* plain_text_naming(const FileType& type);
// True when `ext` (lowercase, without the dot) is in the space-separated `list`.
bool extension_in(std::string_view list, std::string_view ext);

}  // namespace mugaika
