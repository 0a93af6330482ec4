#include "mugaika/detect.hpp"

#include <fcntl.h>
#include <magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <string_view>

using namespace std::string_view_literals;

#include "../text/charset.hpp"
#include "probes.hpp"

namespace mugaika {

struct Detector::Magic {
    magic_t mime = nullptr;
    magic_t text = nullptr;
    ~Magic() {
        if (mime) magic_close(mime);
        if (text) magic_close(text);
    }
};

namespace {

magic_t open_magic(int flags, void* database = nullptr, std::size_t size = 0) {
    magic_t m = magic_open(flags | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    if (!m) throw std::runtime_error("magic_open failed");
    void* buffers[] = {database};
    std::size_t sizes[] = {size};
    if ((database ? magic_load_buffers(m, buffers, sizes, 1) : magic_load(m, nullptr)) != 0) {
        std::string err = magic_error(m) ? magic_error(m) : "unknown";
        magic_close(m);
        throw std::runtime_error("magic_load failed: " + err);
    }
    return m;
}

// libmagic MIME type -> our type id, for what the structural checks did not already settle.
constexpr std::array<std::pair<std::string_view, std::string_view>, 52> kMimeMap{{
    {"application/x-ichitaro4", "ichitaro"},   // 一太郎 4-6: "DOC" and a version byte (libmagic)
    {"application/x-ichitaro5", "ichitaro"},
    {"application/x-ichitaro6", "ichitaro"},
    {"application/pdf", "pdf"},
    {"text/rtf", "rtf"},
    {"application/rtf", "rtf"},
    {"message/rfc822", "eml"},
    {"message/news", "eml"},
    {"application/x-7z-compressed", "7z"},
    {"application/x-rar", "rar"},
    {"application/vnd.rar", "rar"},
    {"application/x-lzh-compressed", "lzh"},
    {"application/x-lha", "lzh"},
    {"application/x-tar", "tar"},
    {"application/gzip", "gzip"},
    {"application/x-gzip", "gzip"},
    {"application/x-bzip2", "bzip2"},
    {"application/x-xz", "xz"},
    {"application/x-lzma", "lzma"},
    {"application/vnd.ms-cab-compressed", "cab"},
    {"image/png", "png"},
    {"image/jpeg", "jpeg"},
    {"image/gif", "gif"},
    {"image/bmp", "bmp"},
    {"image/x-ms-bmp", "bmp"},
    {"image/tiff", "tiff"},
    {"image/webp", "webp"},
    {"image/heic", "heic"},
    {"image/heif", "heic"},
    {"image/heic-sequence", "heic"},
    {"image/heif-sequence", "heic"},
    {"image/svg+xml", "svg"},
    {"text/html", "html"},
    {"text/xml", "xml"},
    {"application/xml", "xml"},
    {"application/x-dosexec", "exe"},
    {"application/vnd.microsoft.portable-executable", "exe"},
    {"application/x-executable", "elf"},
    {"application/x-sharedlib", "elf"},
    {"application/x-pie-executable", "elf"},
    {"application/x-mach-binary", "macho"},
    {"application/java-archive", "java"},
    {"application/x-java-applet", "java"},
    {"application/x-ms-shortcut", "lnk"},
    {"application/x-msi", "msi"},
    {"application/x-iso9660-image", "iso"},
    {"application/x-qemu-disk", "disk-image"},
    {"application/x-virtualbox-vhd", "disk-image"},
    {"application/x-apple-diskimage", "disk-image"},
    {"text/x-shellscript", "script"},
    {"text/x-msdos-batch", "script"},
    {"application/javascript", "script"},
}};

constexpr std::array<std::string_view, 8> kScriptMimes{
    "text/x-python", "text/x-perl", "text/x-ruby", "text/x-php", "text/x-script.python",
    "text/x-awk", "text/x-tcl", "text/x-lua",
};

std::string lower_ext(std::string_view name) {
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return {};
    std::string ext(name.substr(dot + 1));
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

bool starts(std::string_view b, std::string_view sig) { return b.substr(0, sig.size()) == sig; }

// Markers of other formats anywhere they are honoured by their readers: a file that is two formats at
// once is a classic way past a filter that looks at only one of them.
void note_polyglot(std::string_view b, std::string_view type, std::vector<Finding>& findings) {
    std::vector<std::string> others;
    auto pdf_at = b.substr(0, 1024).find("%PDF-");
    if (type != "pdf" && pdf_at != std::string_view::npos) others.push_back("PDF");
    // A PDF reader skips what comes before the header; another reader may take that prefix for itself.
    if (type == "pdf" && pdf_at != std::string_view::npos && pdf_at > 0) others.push_back("data before the PDF header");
    if (type != "rtf" && starts(b, "{\\rt")) others.push_back("RTF");
    bool zip_family = type == "zip" || type == "java" || type == "apk" || type == "odt" || type == "ods" ||
                      type == "odp" || (type.size() == 4 && (type.starts_with("doc") || type.starts_with("xls") ||
                                                              type.starts_with("ppt") || type.starts_with("dot") ||
                                                              type.starts_with("xlt") || type.starts_with("pot") ||
                                                              type.starts_with("pps")));
    std::string_view tail = b.substr(b.size() > 65557 ? b.size() - 65557 : 0);
    if (!zip_family && tail.find("PK\x05\x06") != std::string_view::npos) others.push_back("ZIP");
    if (zip_family && !starts(b, "PK")) others.push_back("data before the ZIP");
    if (type != "exe" && b.find("MZ") == 0) others.push_back("Windows executable");
    std::string head(b.substr(0, 1024));
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    if (type != "html" && type != "svg" && type != "eml" &&
        (head.find("<script") != std::string::npos || head.find("<html") != std::string::npos))
        others.push_back("HTML");
    if (others.empty()) return;
    std::string list;
    for (const auto& o : others) list += (list.empty() ? "" : ", ") + o;
    findings.push_back({"", "detect.polyglot", Action::noted, "also carries markers of: " + list,
                        "別の形式(" + list + ")を兼ねた偽装ファイルの疑いがあります。"});
}

}  // namespace

// libmagic's compiled default database, read into anonymous memory (huge pages where the kernel
// offers them: a handful of page-table entries to copy at fork instead of two thousand).
struct Detector::Resident {
    void* bytes = MAP_FAILED;
    std::size_t size = 0, mapped = 0;
    ~Resident() {
        if (bytes != MAP_FAILED) ::munmap(bytes, mapped);
    }
};

namespace {

// Whether a source magic file holds no rule (Debian's /etc/magic: comments for the site's own).
bool holds_no_rule(const std::string& path) {
    std::ifstream in(path);
    if (!in) return true;   // libmagic skips a missing file too
    for (std::string line; std::getline(in, line);) {
        auto first = line.find_first_not_of(" \t\r");
        if (first != std::string::npos && line[first] != '#') return false;
    }
    return true;
}

}  // namespace

// nullptr where the resident form could differ from what magic_load would load: a database path of
// more than one compiled file, or a source file with rules of the site's own (then: mapped).
std::unique_ptr<Detector::Resident> Detector::read_database() {
    const char* list = magic_getpath(nullptr, 0);
    std::string file;
    std::istringstream parts(list ? list : "");
    for (std::string part; std::getline(parts, part, ':');) {
        if (part.empty()) continue;
        std::string compiled = part.ends_with(".mgc") ? part : part + ".mgc";
        if (::access(compiled.c_str(), R_OK) == 0) {
            if (!file.empty()) return nullptr;
            file = compiled;
        } else if (!holds_no_rule(part)) {
            return nullptr;
        }
    }
    if (file.empty()) return nullptr;
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open libmagic's database " + file);
    struct stat st {};
    auto r = std::make_unique<Detector::Resident>();
    if (::fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > (256 << 20)) {
        ::close(fd);
        throw std::runtime_error("libmagic's database " + file + " has no plausible size");
    }
    r->size = static_cast<std::size_t>(st.st_size);
    constexpr std::size_t huge = 2u << 20;
    r->mapped = (r->size + huge - 1) / huge * huge;
    r->bytes = ::mmap(nullptr, r->mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->bytes == MAP_FAILED) {
        ::close(fd);
        throw std::runtime_error("no memory for libmagic's database");
    }
    ::madvise(r->bytes, r->mapped, MADV_HUGEPAGE);   // advice only: without it, plain pages
    std::size_t done = 0;
    while (done < r->size) {
        ssize_t n = ::read(fd, static_cast<char*>(r->bytes) + done, r->size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("cannot read libmagic's database " + file);
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return r;
}

Detector::Detector(Database database) : magic_(std::make_unique<Magic>()) {
    if (database == Database::resident) resident_ = read_database();   // else, or where it cannot: mapped
    void* bytes = resident_ ? resident_->bytes : nullptr;
    std::size_t size = resident_ ? resident_->size : 0;
    magic_->mime = open_magic(MAGIC_MIME_TYPE, bytes, size);
    magic_->text = open_magic(MAGIC_NONE, bytes, size);
}

// The handles first (they point into the resident database), then the database.
Detector::~Detector() { magic_.reset(); }

Detection Detector::detect(std::string_view b, std::string_view name_hint, Describe describe) const {
    Detection d;
    // libmagic reads the whole buffer against its whole database (a few ms for a 20 KB mail, more
    // than sanitizing it): its MIME type is asked for only where the structural checks below have not
    // already decided, and its words only when someone reads them (the report of the item itself).
    if (describe == Describe::yes) {
        const char* desc = magic_buffer(magic_->text, b.data(), b.size());
        d.magic_description = desc ? desc : "";
    }
    bool asked = false;
    auto magic_mime = [&]() -> std::string_view {
        if (!asked) {
            asked = true;
            const char* mime = magic_buffer(magic_->mime, b.data(), b.size());
            d.magic_mime = mime ? mime : "";
        }
        return d.magic_mime;
    };

    auto result = [&](std::string_view id) -> Detection {
        d.type = find_file_type(id);
        if (!d.type) d.type = &unknown_file_type();
        note_polyglot(b, d.type->id, d.findings);
        return std::move(d);
    };

    if (b.empty()) return result("text");
    // Programs first: whatever else an executable also is, it is an executable.
    if (starts(b, "MZ")) return result("exe");
    if (starts(b, "\x7F" "ELF")) return result("elf");
    if (starts(b, "\xCF\xFA\xED\xFE") || starts(b, "\xCE\xFA\xED\xFE") || starts(b, "\xCA\xFE\xBA\xBE"))
        return result(magic_mime() == "application/x-java-applet" ? "java" : "macho");
    if (starts(b, "L\0\0\0\x01\x14\x02\0"sv)) return result("lnk");
    if (starts(b, "#!")) return result("script");
    // Structure decides between mail and the formats whose readers look past the first byte: a block
    // of RFC 5322 header fields followed by a blank line is a message, whatever its body or a header
    // value carries (a "%PDF-" in the Subject must not send a mail down the PDF path and have it held).
    // The other face of such a polyglot is a detect.polyglot finding, never the route.
    if (detect::looks_like_mail(b)) return result("eml");
    // Readers look for %PDF- within the first KiB.
    if (b.substr(0, 1024).find("%PDF-") != std::string_view::npos) return result("pdf");
    if (starts(b, "PK\x03\x04") || starts(b, "PK\x05\x06"))   // a zip whatever libmagic would say
        return result(detect::probe_zip(b, d.findings));
    std::string_view m = magic_mime();
    if (m == "application/zip" || m.starts_with("application/vnd.openxmlformats") || m == "application/java-archive")
        return result(detect::probe_zip(b, d.findings));
    if (starts(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
        if (m == "application/x-msi" || m == "application/x-ms-installer") return result("msi");
        return result(detect::probe_cfb(b, d.findings));
    }
    if (starts(b, "{\\rtf") || starts(b, "{\\rt")) return result("rtf");
    // An image signature decides even when the rest is damaged (libmagic wants a valid header
    // after it): a broken picture goes to the image sanitizer and is held, it never becomes "text"
    // ("\x89PNG" is a valid Shift_JIS character pair).
    if (starts(b, "\x89PNG\r\n\x1a\n")) return result("png");
    if (starts(b, "GIF87a") || starts(b, "GIF89a")) return result("gif");
    if (starts(b, "\xFF\xD8\xFF")) return result("jpeg");
    if (starts(b, "II*\0"sv) || starts(b, "MM\0*"sv)) return result("tiff");
    if (starts(b, "RIFF") && b.substr(8, 4) == "WEBP") return result("webp");

    for (const auto& [mm, id] : kMimeMap)
        if (m == mm) {
            if (id == "eml" || id == "html" || id == "xml") break;   // text families below
            return result(id);
        }
    for (auto s : kScriptMimes)
        if (m == s) return result("script");

    bool textual = m.starts_with("text/") || m == "message/rfc822" || m == "application/csv" ||
                   m == "application/json" || m == "application/xml" || m == "application/octet-stream" ||
                   m == "application/x-empty";
    if (textual) {
        if (m == "text/html") return result("html");
        if (m == "text/xml" || m == "application/xml") {
            std::string head(b.substr(0, 4096));
            if (head.find("<svg") != std::string::npos) return result("svg");
            if (auto odf = detect::probe_flat_odf(b); !odf.empty()) return result(odf);
            return result("xml");
        }
        // Markup is never plain text: an XML or HTML document released as .txt would lose its meaning,
        // and one released under its own name would be parsed (entities, scripts) on the LGWAN side.
        std::string_view trimmed = b.substr(std::min(b.find_first_not_of(" \t\r\n\xEF\xBB\xBF"), b.size()));
        if (trimmed.starts_with("<")) {
            std::string head(trimmed.substr(0, 4096));
            std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
            if (head.find("<html") != std::string::npos || head.starts_with("<!doctype html") ||
                head.find("<script") != std::string::npos || head.find("<body") != std::string::npos)
                return result("html");
            if (head.find("<svg") != std::string::npos) return result("svg");
            if (head.starts_with("<?xml") || head.starts_with("<!doctype") || head.starts_with("<!entity") ||
                head.find("</") != std::string::npos || head.find("/>") != std::string::npos) {
                if (auto odf = detect::probe_flat_odf(trimmed); !odf.empty()) return result(odf);
                return result("xml");
            }
        }
        // Text is only text if it decodes cleanly in an encoding we support.
        if (charset::detect_and_decode(b)) {
            std::string ext = lower_ext(name_hint);
            if (m == "application/csv" || m == "text/csv" || ext == "csv" || ext == "tsv" || ext == "tab")
                return result("csv");
            return result("text");
        }
    }
    return result("unknown");
}

}  // namespace mugaika
