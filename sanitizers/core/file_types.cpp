#include "mugaika/file_type.hpp"

#include <array>

#include "mugaika/labels.hpp"

namespace mugaika {
namespace {

using C = Category;
constexpr auto R = TypeAction::reconstruct;
constexpr auto B = TypeAction::block;

// The shipped defaults are positive selection: only types that have (or will have) a disarm path are
// reconstructed; everything that runs code, installs, mounts or cannot be identified is blocked.
constexpr std::array kTypes{
    FileType{"text", C::text, "text/plain", "txt text log md ini conf cfg", R},
    FileType{"csv", C::spreadsheet, "text/csv", "csv tsv tab", R},
    FileType{"pdf", C::pdf, "application/pdf", "pdf", R},
    FileType{"rtf", C::document, "application/rtf", "rtf", R},
    FileType{"eml", C::mail, "message/rfc822", "eml msg mbox", R},
    // OOXML, macro-free and macro-enabled, documents and templates.
    FileType{"docx", C::document, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", R},
    FileType{"docm", C::document, "application/vnd.ms-word.document.macroEnabled.12", "docm", R},
    FileType{"dotx", C::document, "application/vnd.openxmlformats-officedocument.wordprocessingml.template", "dotx", R},
    FileType{"dotm", C::document, "application/vnd.ms-word.template.macroEnabled.12", "dotm", R},
    FileType{"xlsx", C::spreadsheet, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", R},
    FileType{"xlsm", C::spreadsheet, "application/vnd.ms-excel.sheet.macroEnabled.12", "xlsm", R},
    FileType{"xltx", C::spreadsheet, "application/vnd.openxmlformats-officedocument.spreadsheetml.template", "xltx", R},
    FileType{"xltm", C::spreadsheet, "application/vnd.ms-excel.template.macroEnabled.12", "xltm", R},
    FileType{"xlsb", C::spreadsheet, "application/vnd.ms-excel.sheet.binary.macroEnabled.12", "xlsb", R},
    FileType{"pptx", C::presentation, "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", R},
    FileType{"pptm", C::presentation, "application/vnd.ms-powerpoint.presentation.macroEnabled.12", "pptm", R},
    FileType{"potx", C::presentation, "application/vnd.openxmlformats-officedocument.presentationml.template", "potx", R},
    FileType{"potm", C::presentation, "application/vnd.ms-powerpoint.template.macroEnabled.12", "potm", R},
    FileType{"ppsx", C::presentation, "application/vnd.openxmlformats-officedocument.presentationml.slideshow", "ppsx", R},
    FileType{"ppsm", C::presentation, "application/vnd.ms-powerpoint.slideshow.macroEnabled.12", "ppsm", R},
    FileType{"office-encrypted", C::encrypted, "application/x-ooxml-encrypted", "docx xlsx pptx docm xlsm pptm", R},
    // Legacy binary Office (CFB / OLE2).
    FileType{"doc", C::document, "application/msword", "doc dot", R},
    FileType{"xls", C::spreadsheet, "application/vnd.ms-excel", "xls xlt xla", R},
    FileType{"ppt", C::presentation, "application/vnd.ms-powerpoint", "ppt pot pps", R},
    FileType{"outlook-msg", C::mail, "application/vnd.ms-outlook", "msg", R},
    FileType{"cfb", C::unknown, "application/x-cfb", "", B},
    // OpenDocument, packaged (zip) or flat (one XML file: fodt, fods, fodp).
    FileType{"odt", C::document, "application/vnd.oasis.opendocument.text", "odt ott fodt", R},
    FileType{"ods", C::spreadsheet, "application/vnd.oasis.opendocument.spreadsheet", "ods ots fods", R},
    FileType{"odp", C::presentation, "application/vnd.oasis.opendocument.presentation", "odp otp fodp", R},
    // Ichitaro (JustSystems): no converter in Debian reads it; held with advice (docs/legacy.md).
    FileType{"ichitaro", C::document, "application/x-js-taro", "jtd jtdc jtt jttc jaw jbw juw jfw jvw", R},
    // Archives.
    FileType{"zip", C::archive, "application/zip", "zip", R},
    FileType{"7z", C::archive, "application/x-7z-compressed", "7z", R},
    FileType{"rar", C::archive, "application/vnd.rar", "rar", R},
    FileType{"lzh", C::archive, "application/x-lzh-compressed", "lzh lha", R},
    FileType{"tar", C::archive, "application/x-tar", "tar", R},
    FileType{"gzip", C::archive, "application/gzip", "gz tgz taz gzip", R},
    FileType{"bzip2", C::archive, "application/x-bzip2", "bz2 tbz2 tbz", R},
    FileType{"xz", C::archive, "application/x-xz", "xz txz", R},
    FileType{"lzma", C::archive, "application/x-lzma", "lzma tlz", R},
    FileType{"cab", C::archive, "application/vnd.ms-cab-compressed", "cab", B},
    // Images.
    FileType{"png", C::image, "image/png", "png", R},
    FileType{"jpeg", C::image, "image/jpeg", "jpg jpeg jpe jfif", R},
    FileType{"gif", C::image, "image/gif", "gif", R},
    FileType{"bmp", C::image, "image/bmp", "bmp dib", R},
    FileType{"tiff", C::image, "image/tiff", "tif tiff", R},
    FileType{"webp", C::image, "image/webp", "webp", R},
    FileType{"heic", C::image, "image/heic", "heic heif hif", R},
    FileType{"svg", C::image, "image/svg+xml", "svg svgz", R},
    // Web and markup.
    FileType{"html", C::web, "text/html", "html htm xhtml mht mhtml", R},
    FileType{"xml", C::web, "application/xml", "xml xsd xsl xslt", R},
    // Blocked by default: they run code, install software or mount file systems.
    FileType{"exe", C::executable, "application/vnd.microsoft.portable-executable", "exe dll sys scr cpl ocx com", B},
    FileType{"elf", C::executable, "application/x-executable", "", B},
    FileType{"macho", C::executable, "application/x-mach-binary", "", B},
    FileType{"java", C::executable, "application/java-archive", "jar class", B},
    FileType{"apk", C::executable, "application/vnd.android.package-archive", "apk", B},
    FileType{"script", C::script, "text/x-script", "js jse vbs vbe wsf wsh ps1 psm1 bat cmd sh py pl hta", B},
    FileType{"lnk", C::shortcut, "application/x-ms-shortcut", "lnk", B},
    FileType{"msi", C::installer, "application/x-msi", "msi msp", B},
    FileType{"iso", C::disk_image, "application/x-iso9660-image", "iso img", B},
    FileType{"disk-image", C::disk_image, "application/x-disk-image", "vhd vhdx dmg img", B},
    FileType{"unknown", C::unknown, "application/octet-stream", "", B},
};

}  // namespace

std::string_view to_string(TypeAction a) {
    switch (a) {
    case TypeAction::reconstruct: return "reconstruct";
    case TypeAction::convert: return "convert";
    case TypeAction::block: return "block";
    }
    return "block";
}

std::optional<TypeAction> parse_type_action(std::string_view s) {
    if (s == "reconstruct") return TypeAction::reconstruct;
    if (s == "convert") return TypeAction::convert;
    if (s == "block") return TypeAction::block;
    return std::nullopt;
}

std::span<const FileType> file_types() { return kTypes; }

std::string_view label_ja(const FileType& type) { return labels::file_type_label(type.id); }

const FileType* find_file_type(std::string_view id) {
    for (const auto& t : kTypes)
        if (t.id == id) return &t;
    return nullptr;
}

const FileType& unknown_file_type() { return kTypes.back(); }

bool extension_in(std::string_view list, std::string_view ext) {
    if (ext.empty()) return false;
    while (!list.empty()) {
        auto sp = list.find(' ');
        if (list.substr(0, sp) == ext) return true;
        if (sp == std::string_view::npos) break;
        list.remove_prefix(sp + 1);
    }
    return false;
}

bool type_accepts_extension(const FileType& type, std::string_view ext) { return extension_in(type.extensions, ext); }

const PlainTextNaming* plain_text_naming(const FileType& type) {
    // Only names that no Windows program acts on: Notepad opens .txt and .log; Excel opens .csv (its
    // formulas are neutralised by the CSV sanitizer for comma, tab and semicolon splits) and .tsv
    // through its import wizard. Deliberately absent: .ini (desktop.ini customises folders and fetches
    // icons from UNC paths), .md (previewers render HTML in it), .json, .xml (an mso-application
    // processing instruction opens it in Word or Excel as Office 2003 XML; browsers run XSLT), .htm*,
    // .shtml, .xht, .mht, .svg (script), and every Windows shell format that is text inside (.iqy,
    // .rdp, .theme, .url, .scf, .library-ms, .inf, .reg, .slk, ...).
    static constexpr PlainTextNaming kText{"txt log", "txt"};
    static constexpr PlainTextNaming kCsv{"csv tsv txt", "txt"};
    // A rebuilt mail is opened by the mail client through .eml and by nothing else.
    static constexpr PlainTextNaming kMail{"eml", "eml"};
    if (type.id == "text") return &kText;
    if (type.id == "csv") return &kCsv;
    if (type.id == "eml") return &kMail;
    return nullptr;
}

bool extension_claims_other_type(const FileType& type, std::string_view ext) {
    if (ext.empty() || type_accepts_extension(type, ext)) return false;
    for (const auto& t : file_types())
        if (&t != &type && type_accepts_extension(t, ext)) return true;
    // Text may carry any extension no other type claims (.json, .dat): it is still only text.
    return type.category != Category::text;
}

std::string_view canonical_extension(const FileType& type) {
    return type.extensions.substr(0, type.extensions.find(' '));
}

}  // namespace mugaika
