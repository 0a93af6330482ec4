#include "fixtures.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>

#include <archive.h>
#include <archive_entry.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <gsf/gsf.h>
#include <zip.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

namespace mugaika::test {
namespace fs = std::filesystem;

namespace {
// CRC-32 (zip's polynomial), bit by bit: fixtures are small.
unsigned long crc32_of(const std::string& data) {
    unsigned long crc = 0xFFFFFFFFul;
    for (unsigned char c : data) {
        crc ^= c;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320ul & (0ul - (crc & 1)));
    }
    return crc ^ 0xFFFFFFFFul;
}
}  // namespace

namespace {

// A zip in memory: `fill` adds the entries, the bytes of the closed archive come back.
std::string build_zip(const std::function<void(zip_t*)>& fill) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
    zip_source_keep(src);
    zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    if (!z) throw std::runtime_error("zip_open_from_source");
    fill(z);
    if (zip_close(z) != 0) throw std::runtime_error("zip_close");
    zip_source_open(src);
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    std::string out(static_cast<std::size_t>(size), '\0');
    zip_source_read(src, out.data(), size);
    zip_source_close(src);
    zip_source_free(src);
    return out;
}

// Adds `data` as `name`; libzip keeps a pointer until close, so it gets a copy it frees itself.
zip_int64_t add_entry(zip_t* z, const std::string& name, const std::string& data, zip_flags_t flags) {
    void* copy = data.empty() ? nullptr : malloc(data.size());
    if (copy) memcpy(copy, data.data(), data.size());
    zip_source_t* s = zip_source_buffer(z, copy, data.size(), copy ? 1 : 0);   // libzip frees only non-empty buffers
    zip_int64_t idx = zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8 | flags);
    if (idx < 0) throw std::runtime_error("zip_file_add");
    return idx;
}

}  // namespace

std::string make_zip(const Entries& entries) {
    return build_zip([&](zip_t* z) {
        for (const auto& [name, data] : entries) add_entry(z, name, data, ZIP_FL_OVERWRITE);
    });
}

namespace {

struct OoxmlKind {
    std::string main_part, main_type, rel_type, body;
};

std::string xml_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else o += c;
    }
    return o;
}

OoxmlKind kind_for(const std::string& type, const std::string& text) {
    const std::string office_doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
    std::map<std::string, std::string> main_types{
        {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"},
        {"docm", "application/vnd.ms-word.document.macroEnabled.main+xml"},
        {"dotx", "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"},
        {"dotm", "application/vnd.ms-word.template.macroEnabledTemplate.main+xml"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"},
        {"xlsm", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"},
        {"xltx", "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"},
        {"xltm", "application/vnd.ms-excel.template.macroEnabled.main+xml"},
        {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"},
        {"pptm", "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"},
        {"potx", "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"},
        {"ppsx", "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml"},
    };
    if (!main_types.contains(type)) throw std::invalid_argument("no OOXML fixture for " + type);
    std::string t = xml_escape(text);
    if (type[0] == 'd')
        return {"word/document.xml", main_types[type], office_doc,
                R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>)" + t + "</w:t></w:r></w:p></w:body></w:document>"};
    if (type[0] == 'x')
        return {"xl/workbook.xml", main_types[type], office_doc,
                R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets/></workbook>)"};
    return {"ppt/presentation.xml", main_types[type], office_doc,
            R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>)"};
}

}  // namespace

std::string make_ooxml(const std::string& type, const std::string& text, bool with_vba) {
    OoxmlKind k = kind_for(type, text);
    std::string ct = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>)";
    if (with_vba) ct += R"(<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>)";
    ct += "<Override PartName=\"/" + k.main_part + "\" ContentType=\"" + k.main_type + "\"/></Types>";
    std::string rels = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type=")" +
                       k.rel_type + "\" Target=\"" + k.main_part + "\"/></Relationships>";
    Entries e{{"[Content_Types].xml", ct}, {"_rels/.rels", rels}, {k.main_part, k.body}};
    if (with_vba) {
        std::string dir = k.main_part.substr(0, k.main_part.find('/'));
        e.push_back({dir + "/vbaProject.bin", make_cfb({{"VBA", "Attribute VB_Name = \"ThisDocument\"\nSub AutoOpen()\nEnd Sub\n"}})});
    }
    return make_zip(e);
}

std::string make_cfb(const Entries& streams) {
    gsf_init();
    GsfOutput* mem = gsf_output_memory_new();
    GsfOutfile* ole = gsf_outfile_msole_new(mem);
    for (const auto& [name, data] : streams) {
        GsfOutput* child = gsf_outfile_new_child(ole, name.c_str(), FALSE);
        gsf_output_write(child, data.size(), reinterpret_cast<const guint8*>(data.data()));
        gsf_output_close(child);
        g_object_unref(child);
    }
    gsf_output_close(GSF_OUTPUT(ole));
    g_object_unref(ole);
    const guint8* bytes = gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem));
    std::string out(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(gsf_output_size(mem)));
    gsf_output_close(mem);
    g_object_unref(mem);
    return out;
}

std::string make_archive(const std::string& format, const std::string& filter, const Entries& entries) {
    archive* a = archive_write_new();
    if (archive_write_set_format_by_name(a, format.c_str()) != ARCHIVE_OK) throw std::runtime_error("format " + format);
    if (!filter.empty() && archive_write_add_filter_by_name(a, filter.c_str()) != ARCHIVE_OK)
        throw std::runtime_error("filter " + filter);
    std::string buf(4 << 20, '\0');
    size_t used = 0;
    if (archive_write_open_memory(a, buf.data(), buf.size(), &used) != ARCHIVE_OK) throw std::runtime_error("open");
    for (const auto& [name, data] : entries) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, data.data(), data.size());
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    buf.resize(used);
    return buf;
}

namespace {
cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}
}  // namespace

std::string make_pdf(const std::string& text) {
    std::string out;
    cairo_surface_t* s = cairo_pdf_surface_create_for_stream(append, &out, 595, 842);
    cairo_t* cr = cairo_create(s);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 14);
    cairo_move_to(cr, 72, 100);
    cairo_show_text(cr, text.c_str());
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_surface_destroy(s);
    return out;
}

std::string make_png(int width, int height) {
    std::string out;
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t* cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.2, 0.4, 0.8);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_write_to_png_stream(s, append, &out);
    cairo_surface_destroy(s);
    return out;
}

TempDir::TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("mugaika-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
}

void write_file(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream f(p, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_whole(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

fs::path scanless_config(const fs::path& dir, const std::string& extra) {
    fs::path p = dir / "scanless.toml";
    write_file(p, "[scan]\nenabled = false\n" + extra);
    return p;
}

int listen_loopback(unsigned short& port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0 || ::listen(fd, 8) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    port = ntohs(a.sin_port);
    return fd;
}

int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file()) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

CommandResult run(const std::string& command) {
    CommandResult r;
    FILE* p = popen(command.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int status = pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string shell_quote(const std::string& s) {
    std::string o = "'";
    for (char c : s) {
        if (c == '\'') o += "'\\''";
        else o += c;
    }
    return o + "'";
}

fs::path mugaika_binary() { return MUGAIKA_BINARY; }
fs::path source_dir() { return MUGAIKA_SOURCE_DIR; }

std::optional<fs::path> corpus_dir() {
    if (const char* env = std::getenv("MUGAIKA_CORPUS")) {
        if (fs::exists(fs::path(env) / "MANIFEST.tsv")) return fs::path(env);
    }
    fs::path p = source_dir().parent_path() / "shared" / "corpus";
    if (fs::exists(p / "MANIFEST.tsv")) return p;
    return std::nullopt;
}

namespace {

void put16(std::string& o, unsigned v) {
    o += static_cast<char>(v & 0xff);
    o += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& o, unsigned long v) {
    put16(o, static_cast<unsigned>(v & 0xffff));
    put16(o, static_cast<unsigned>((v >> 16) & 0xffff));
}

}  // namespace

std::string make_encrypted_zip(const Entries& encrypted, const std::string& password, const std::string& method,
                               const Entries& plain) {
    zip_uint16_t em = method.starts_with("zipcrypto") ? ZIP_EM_TRAD_PKWARE
                      : method.starts_with("aes128")  ? ZIP_EM_AES_128
                                                      : ZIP_EM_AES_256;
    bool store = method.ends_with("-store");
    return build_zip([&](zip_t* z) {
        auto add = [&](const std::string& name, const std::string& data, bool encrypt) {
            zip_int64_t idx = add_entry(z, name, data, 0);
            if (encrypt && zip_file_set_encryption(z, static_cast<zip_uint64_t>(idx), em, password.c_str()) != 0)
                throw std::runtime_error("zip_file_set_encryption: " + std::string(zip_strerror(z)));
            if (store) zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
        };
        for (const auto& [name, data] : encrypted) add(name, data, true);
        for (const auto& [name, data] : plain) add(name, data, false);
    });
}

std::string make_infozip(const Entries& entries, const std::string& arguments) {
    TempDir d;
    fs::create_directories(d / "in");
    std::string names;
    for (const auto& [name, data] : entries) {
        fs::path p = d.path / "in" / name;
        fs::create_directories(p.parent_path());
        if (data.starts_with("symlink:")) fs::create_symlink(data.substr(8), p);
        else write_file(p, data);
        names += " " + shell_quote(name);
    }
    auto r = run("cd " + shell_quote((d / "in").string()) + " && zip -q -X " + arguments + " " +
                 shell_quote((d / "out.zip").string()) + names);
    if (r.status != 0) throw std::runtime_error("zip(1) failed");
    return read_whole(d / "out.zip");
}

std::string make_raw_zip(const Entries& entries, const RawZipOptions& options) {
    std::string out = options.prefix, central;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& [name, data] = entries[i];
        unsigned long crc = crc32_of(data);
        unsigned flags = static_cast<int>(i) == options.encrypted_index ? 1u : 0u;
        std::string local_name = static_cast<int>(i) == options.mismatch_index ? name + "x" : name;
        unsigned long offset = out.size();
        put32(out, 0x04034b50); put16(out, 20); put16(out, flags); put16(out, 0); put16(out, 0); put16(out, 0x21);
        put32(out, crc); put32(out, data.size()); put32(out, data.size());
        put16(out, static_cast<unsigned>(local_name.size())); put16(out, 0);
        out += local_name;
        out += data;
        put32(central, 0x02014b50); put16(central, 20); put16(central, 20); put16(central, flags); put16(central, 0);
        put16(central, 0); put16(central, 0x21); put32(central, crc); put32(central, data.size());
        put32(central, data.size()); put16(central, static_cast<unsigned>(name.size())); put16(central, 0);
        put16(central, 0); put16(central, 0); put16(central, 0); put32(central, 0); put32(central, offset);
        central += name;
    }
    unsigned long cd_offset = out.size();
    out += central;
    put32(out, 0x06054b50); put16(out, 0); put16(out, 0);
    put16(out, static_cast<unsigned>(entries.size())); put16(out, static_cast<unsigned>(entries.size()));
    put32(out, central.size()); put32(out, cd_offset); put16(out, 0);
    return out + options.trailing;
}

std::string make_package(const PackageSpec& spec) {
    std::string ct = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>)";
    for (const auto& [part, type] : spec.content_types) ct += "<Override PartName=\"" + part + "\" ContentType=\"" + type + "\"/>";
    ct += "</Types>";
    Entries e{{"[Content_Types].xml", ct}};
    for (const auto& [part, body] : spec.rels) {
        std::string name;
        if (part.empty()) {
            name = "_rels/.rels";
        } else {
            auto slash = part.rfind('/');
            name = part.substr(0, slash + 1) + "_rels/" + part.substr(slash + 1) + ".rels";
        }
        e.push_back({name, R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)" + body + "</Relationships>"});
    }
    for (const auto& p : spec.parts) e.push_back(p);
    return make_zip(e);
}

}  // namespace mugaika::test
