// Test fixtures the tests generate themselves: real files made with real libraries (libzip, libgsf,
// libarchive, cairo), so that CI never depends on files nobody on the team wrote.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mugaika::test {

using Entries = std::vector<std::pair<std::string, std::string>>;

std::string make_zip(const Entries& entries);
// A minimal but valid OOXML package of the given type id (docx, xlsx, pptx, docm, ...), with `text` in
// the body. `with_vba` adds a vbaProject.bin part (and its content type when the type is macro-enabled).
std::string make_ooxml(const std::string& type, const std::string& text = "hello", bool with_vba = false);
// A zip written by libzip whose `encrypted` entries are encrypted with `password` ("aes256", "aes128"
// or "zipcrypto" for traditional PKWARE; a "-store" suffix stores instead of deflating) and whose
// `plain` entries are not, in that order.
std::string make_encrypted_zip(const Entries& encrypted, const std::string& password,
                               const std::string& method = "aes256", const Entries& plain = {});
// A zip written by Info-ZIP's zip(1), an independent writer: files (names may hold folders) are
// written to a temporary folder and zipped from there with `arguments` (e.g. "-P secret" for
// ZipCrypto, "-y" to store symbolic links, made from entries whose content starts with "symlink:").
std::string make_infozip(const Entries& entries, const std::string& arguments = "");
// A Compound File Binary with the given root streams.
std::string make_cfb(const Entries& streams);
// An archive written by libarchive: format "7z", "tar", "iso9660", "zip"; filter "gzip", "xz", "bzip2" or "".
std::string make_archive(const std::string& format, const std::string& filter, const Entries& entries);
// An archive written by a real command-line tool from files in a temporary folder: `command` runs in
// that folder with {out} replaced by the output path and {files} by the quoted names, e.g.
// "7z a -bd {out} {files}", "tar cf {out} {files}", "jlha c {out} {files}". Entries whose content
// starts with "symlink:" become symbolic links, "fifo:" named pipes.
std::string make_with_tool(const std::string& command, const Entries& entries);
// LZH (LHA) archives written byte by byte, stored (-lh0-), with header level 0, 1 or 2 and the names'
// bytes as given (CP932 names, backslashes, traversal): no Debian tool writes CP932 names into LZH
// (jlha-utils' "y" option writes headers libarchive and LHA refuse). Layout: libarchive's
// archive_read_support_format_lha.c and the LHa for UNIX header documentation.
std::string make_raw_lzh(const Entries& entries, int level);
// RAR archives written byte by byte, stored (no compression): version 4 (RARLAB's technote.txt, "RAR
// version 4.x - Technical information") or 5 (RARLAB's "RAR 5.0 archive format"). Debian has no free
// RAR writer and the corpus holds no RAR. `encrypted_index` sets the encrypted-file flag (RAR 4: 0x04)
// on that entry. RAR 4 names are written as the given bytes (OEM code page, no Unicode flag).
std::string make_raw_rar(const Entries& entries, int version, int encrypted_index = -1);
// A one-page PDF drawn by cairo with `text` (ASCII; Japanese needs a font, see the PDF tests).
std::string make_pdf(const std::string& text);
std::string make_png(int width, int height);

// A zip written byte by byte (stored entries), for the tricks libzip refuses to write: duplicate
// names, data before the first entry or after the end record, an encrypted flag, local and central
// headers that disagree.
struct RawZipOptions {
    std::string prefix;                 // bytes before the first entry (offsets account for them)
    std::string trailing;               // bytes after the end record
    int encrypted_index = -1;           // entry whose flags claim encryption
    int mismatch_index = -1;            // entry whose local header carries another name
};
std::string make_raw_zip(const Entries& entries, const RawZipOptions& options = {});

// An OOXML package from explicit parts: `content_types` lists (part name, content type) overrides,
// `rels` maps a part ("" for the package) to its relationships XML body (the <Relationship/> elements).
struct PackageSpec {
    std::vector<std::pair<std::string, std::string>> content_types;
    std::vector<std::pair<std::string, std::string>> rels;
    Entries parts;
};
std::string make_package(const PackageSpec& spec);

struct TempDir {
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    std::filesystem::path path;
    std::filesystem::path operator/(const std::string& s) const { return path / s; }
};

void write_file(const std::filesystem::path& p, const std::string& bytes);
std::string read_whole(const std::filesystem::path& p);
std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir);
// A configuration file with malware scanning switched off ([scan] enabled = false) and `extra` tables,
// for tests of other behaviour run on machines without clamd (the scanning tests start their own).
std::filesystem::path scanless_config(const std::filesystem::path& dir, const std::string& extra = "");
// A TCP port on 127.0.0.1 that was free a moment ago (for servers the tests start).
int free_loopback_port();
// A listening TCP socket on 127.0.0.1 and an ephemeral port (for the scripted servers of the tests).
int listen_loopback(unsigned short& port);

struct CommandResult {
    int status = -1;
    std::string out;   // stdout
};
// Runs a shell command, capturing stdout (stderr passes through).
CommandResult run(const std::string& command);
std::string shell_quote(const std::string& s);

std::filesystem::path mugaika_binary();
std::filesystem::path source_dir();
// ../shared/corpus beside the project, if present.
std::optional<std::filesystem::path> corpus_dir();

}  // namespace mugaika::test
