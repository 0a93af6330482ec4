// Archives other than zip for the tests: written by real tools (7z, tar, jlha) where Debian has one,
// byte by byte where it has none (RAR) or where its tool cannot write what a test needs (LZH with CP932
// names). See fixtures.hpp.
#include <sys/stat.h>
#include <zlib.h>

#include <stdexcept>

#include "fixtures.hpp"

namespace mugaika::test {
namespace fs = std::filesystem;

namespace {

void le16(std::string& s, unsigned v) {
    s += static_cast<char>(v & 0xff);
    s += static_cast<char>((v >> 8) & 0xff);
}
void le32(std::string& s, unsigned long v) {
    for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
unsigned long crc32_bytes(const std::string& s) {
    return crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size()));
}
// LHA's CRC-16 (polynomial 0xA001, reflected, initial 0), over file data and level 2 headers.
unsigned crc16_lha(const std::string& s) {
    unsigned crc = 0;
    for (unsigned char c : s) {
        crc ^= c;
        for (int i = 0; i < 8; ++i) crc = (crc & 1) ? (crc >> 1) ^ 0xA001 : crc >> 1;
    }
    return crc & 0xffff;
}
unsigned char sum8(const std::string& s) {
    unsigned v = 0;
    for (unsigned char c : s) v += c;
    return static_cast<unsigned char>(v & 0xff);
}
// RAR 5's variable-length integer: 7 bits a byte, low first, high bit set while more follow.
std::string vint(std::uint64_t v) {
    std::string s;
    do {
        unsigned char b = v & 0x7f;
        v >>= 7;
        if (v) b |= 0x80;
        s += static_cast<char>(b);
    } while (v);
    return s;
}

constexpr unsigned long kDosTime = 0x5a340220;   // 2025-01-20 00:17:00 in MS-DOS date/time

}  // namespace

std::string make_with_tool(const std::string& command, const Entries& entries) {
    TempDir d;
    fs::create_directories(d / "in");
    std::string files;
    for (const auto& [name, data] : entries) {
        fs::path p = d.path / "in" / name;
        fs::create_directories(p.parent_path());
        if (data.starts_with("symlink:")) fs::create_symlink(data.substr(8), p);
        else if (data.starts_with("fifo:")) {
            if (mkfifo(p.c_str(), 0644) != 0) throw std::runtime_error("mkfifo failed");
        } else write_file(p, data);
        files += " " + shell_quote(name);
    }
    std::string out = (d / "out.bin").string();
    std::string cmd = command;
    for (auto at = cmd.find("{out}"); at != std::string::npos; at = cmd.find("{out}")) cmd.replace(at, 5, shell_quote(out));
    for (auto at = cmd.find("{files}"); at != std::string::npos; at = cmd.find("{files}")) cmd.replace(at, 7, files);
    auto r = run("cd " + shell_quote((d / "in").string()) + " && " + cmd + " >/dev/null 2>&1");
    if (r.status != 0) throw std::runtime_error("archive tool failed: " + cmd);
    return read_whole(out);
}

std::string make_raw_lzh(const Entries& entries, int level) {
    std::string out;
    for (const auto& [name, data] : entries) {
        std::string common = "-lh0-";
        le32(common, data.size());   // compressed size (level 1: plus the extended headers, none here)
        le32(common, data.size());   // original size
        le32(common, level == 2 ? 0x5f000000 : kDosTime);   // level 2: a Unix time
        common += static_cast<char>(0x20);                   // MS-DOS attribute: archive
        common += static_cast<char>(level);
        if (level == 0 || level == 1) {
            std::string h = common;
            h += static_cast<char>(name.size());
            h += name;
            le16(h, crc16_lha(data));
            if (level == 1) {
                h += 'M';      // creator OS: MS-DOS
                le16(h, 0);    // next extended header size: none
            }
            // The header size and checksum cover everything after their own two bytes.
            out += static_cast<char>(h.size());
            out += static_cast<char>(sum8(h));
            out += h + data;
        } else {
            std::string h;
            le16(h, 0);   // total header size, set below
            h += common;
            le16(h, crc16_lha(data));
            h += 'M';
            std::size_t crc_at = h.size() + 3;
            le16(h, 5); h += '\0'; le16(h, 0);                                  // header CRC (filled below)
            le16(h, static_cast<unsigned>(3 + name.size())); h += '\x01'; h += name;   // file name
            le16(h, 0);                                                          // no more extended headers
            h[0] = static_cast<char>(h.size() & 0xff);
            h[1] = static_cast<char>(h.size() >> 8);
            unsigned crc = crc16_lha(h);
            h[crc_at] = static_cast<char>(crc & 0xff);
            h[crc_at + 1] = static_cast<char>(crc >> 8);
            out += h + data;
        }
    }
    return out + std::string(1, '\0');   // the end mark
}

std::string make_raw_rar(const Entries& entries, int version, int encrypted_index) {
    std::string out;
    if (version == 4) {
        auto block = [&](unsigned char type, unsigned flags, const std::string& body) {
            std::string h;
            h += static_cast<char>(type);
            le16(h, flags);
            le16(h, static_cast<unsigned>(7 + body.size()));
            h += body;
            std::string b;
            le16(b, crc32_bytes(h) & 0xffff);
            out += b + h;
        };
        out = std::string("Rar!\x1a\x07\x00", 7);
        block(0x73, 0, std::string(6, '\0'));   // archive header: reserved fields
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& [name, data] = entries[i];
            std::string body;
            le32(body, data.size());       // packed size
            le32(body, data.size());       // unpacked size
            body += '\x02';                // host OS: Win32
            le32(body, crc32_bytes(data));
            le32(body, kDosTime);
            body += static_cast<char>(29); // version needed: 2.9
            body += static_cast<char>(0x30);   // method: store
            le16(body, static_cast<unsigned>(name.size()));
            le32(body, 0x20);              // attributes: archive
            body += name;
            unsigned flags = 0x8000;       // data follows the header
            if (static_cast<int>(i) == encrypted_index) flags |= 0x04;
            block(0x74, flags, body);
            out += data;
        }
        block(0x7b, 0x4000, "");   // end of archive
        return out;
    }
    auto header = [&](const std::string& fields) {   // type, flags and what follows them
        std::string sized = vint(fields.size()) + fields;
        std::string crc;
        le32(crc, crc32_bytes(sized));
        out += crc + sized;
    };
    out = std::string("Rar!\x1a\x07\x01\x00", 8);
    header(vint(1) + vint(0) + vint(0));   // main archive header: no flags, no archive flags
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& [name, data] = entries[i];
        std::string extra;
        if (static_cast<int>(i) == encrypted_index) {
            // File encryption record (type 1): version 0 (AES-256), no flags, KDF count 15, salt, IV.
            std::string rec = vint(1) + vint(0) + vint(0) + std::string(1, '\x0f') + std::string(16, 's') + std::string(16, 'i');
            extra = vint(rec.size()) + rec;
        }
        std::string f = vint(2);                                 // file header
        f += vint(extra.empty() ? 0x02 : 0x03);                  // data area present (and an extra area)
        if (!extra.empty()) f += vint(extra.size());
        f += vint(data.size());                                  // data size
        f += vint(0x02 | 0x04);                                  // file flags: mtime and CRC32 present
        f += vint(data.size());                                  // unpacked size
        f += vint(0x20);                                         // attributes
        le32(f, 0x5f000000);                                     // mtime
        le32(f, crc32_bytes(data));
        f += vint(0);                                            // compression: version 0, store
        f += vint(0);                                            // host OS: Windows
        f += vint(name.size()) + name;
        f += extra;
        header(f);
        out += data;
    }
    header(vint(5) + vint(0) + vint(0));   // end of archive
    return out;
}

}  // namespace mugaika::test
