#include "tar_structure.hpp"

#include <optional>

namespace mugaika::archive {
namespace {

constexpr std::size_t kBlock = 512;

// An octal number field (NUL or space terminated), or GNU's base-256 form (high bit of the first byte).
std::optional<std::uint64_t> number(std::string_view f) {
    if (!f.empty() && (static_cast<unsigned char>(f[0]) & 0x80)) {
        if (static_cast<unsigned char>(f[0]) != 0x80) return std::nullopt;   // negative or too large
        std::uint64_t v = 0;
        for (std::size_t i = 1; i < f.size(); ++i) {
            if (v >> 56) return std::nullopt;
            v = v << 8 | static_cast<unsigned char>(f[i]);
        }
        return v;
    }
    std::size_t i = 0;
    while (i < f.size() && f[i] == ' ') ++i;
    std::uint64_t v = 0;
    bool digits = false;
    for (; i < f.size() && f[i] >= '0' && f[i] <= '7'; ++i) {
        if (v >> 60) return std::nullopt;
        v = v * 8 + static_cast<std::uint64_t>(f[i] - '0');
        digits = true;
    }
    for (; i < f.size(); ++i)
        if (f[i] != ' ' && f[i] != '\0') return std::nullopt;
    if (!digits) return std::uint64_t{0};
    return v;
}

bool checksum_ok(std::string_view h) {
    auto stored = number(h.substr(148, 8));
    if (!stored) return false;
    std::uint64_t u = 0;
    std::int64_t s = 0;   // some old writers summed signed chars
    for (std::size_t i = 0; i < kBlock; ++i) {
        unsigned char c = (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
        u += c;
        s += static_cast<signed char>(c);
    }
    return *stored == u || static_cast<std::int64_t>(*stored) == s;
}

bool all_zero(std::string_view s) { return s.find_first_not_of('\0') == std::string_view::npos; }

// The keys of pax records ("LEN key=value\n" each), or nullopt when they are malformed.
struct Pax {
    bool path = false, linkpath = false;
    std::optional<std::uint64_t> size;
};
std::optional<Pax> parse_pax(std::string_view d) {
    Pax p;
    while (!d.empty()) {
        std::size_t sp = d.find(' ');
        if (sp == std::string_view::npos || sp == 0 || sp > 20) return std::nullopt;
        std::uint64_t len = 0;
        for (char c : d.substr(0, sp)) {
            if (c < '0' || c > '9') return std::nullopt;
            len = len * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (len <= sp + 1 || len > d.size() || d[len - 1] != '\n') return std::nullopt;
        std::string_view rec = d.substr(sp + 1, len - sp - 2);
        std::size_t eq = rec.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        std::string_view key = rec.substr(0, eq);
        if (key == "path") p.path = true;
        if (key == "linkpath") p.linkpath = true;
        if (key == "size") {
            std::uint64_t n = 0;
            std::string_view digits = rec.substr(eq + 1);
            if (digits.empty() || digits.size() > 19) return std::nullopt;
            for (char c : digits) {
                if (c < '0' || c > '9') return std::nullopt;
                n = n * 10 + static_cast<std::uint64_t>(c - '0');
            }
            p.size = n;
        }
        d.remove_prefix(len);
    }
    return p;
}

}  // namespace

TarWalk walk_tar(std::string_view b, std::uint64_t max_headers) {
    TarWalk w;
    auto fail = [&](std::string problem, bool ambiguous) {
        w.problem = std::move(problem);
        w.ambiguous = ambiguous;
        return w;
    };
    std::size_t at = 0;
    std::uint64_t headers = 0;
    // Meta headers waiting for the entry they apply to.
    bool pax_pending = false, longname = false, longlink = false, pax_path = false, pax_link = false;
    bool has_pax_size = false;
    std::uint64_t pax_size = 0;
    while (at + kBlock <= b.size()) {
        std::string_view h = b.substr(at, kBlock);
        if (all_zero(h)) {
            if (pax_pending || longname || longlink) return fail("a tar header that applies to no entry", true);
            // The end of the archive: what follows is padding, never more entries.
            if (!all_zero(b.substr(at))) return fail("data after the end of the tar archive", true);
            return w;
        }
        if (++headers > max_headers) return fail("more than " + std::to_string(max_headers) + " tar headers", false);
        if (!checksum_ok(h)) return fail("tar header checksum error at offset " + std::to_string(at), true);
        auto size = number(h.substr(124, 12));
        if (!size) return fail("unreadable tar size field at offset " + std::to_string(at), false);
        char type = h[156];
        std::uint64_t data = *size;
        at += kBlock;
        auto body = [&]() -> std::optional<std::string_view> {
            if (data > b.size() - at) return std::nullopt;
            return b.substr(at, static_cast<std::size_t>(data));
        };
        switch (type) {
        case 'x': case 'g': {
            auto d = body();
            if (!d) return fail("truncated pax header", false);
            auto pax = parse_pax(*d);
            if (!pax) return fail("malformed pax header", true);
            if (type == 'g') {
                // A global path, link or size would rename or resize every entry after it.
                if (pax->path || pax->linkpath || pax->size) return fail("global pax header with path, link or size", true);
                break;
            }
            if (pax_pending) return fail("two pax headers for one entry", true);
            pax_pending = true;
            pax_path = pax->path;
            pax_link = pax->linkpath;
            has_pax_size = pax->size.has_value();
            pax_size = pax->size.value_or(0);
            break;
        }
        case 'L': case 'K': case 'N': {
            bool& seen = type == 'K' ? longlink : longname;
            if (seen || type == 'N') return fail("repeated or obsolete GNU long name header", true);
            seen = true;
            if (!body()) return fail("truncated GNU long name", false);
            break;
        }
        case 'M': case 'V':
            return fail("multi-volume or labelled GNU tar", false);
        default: {
            // A real entry. Its name may come from at most one place besides its own header.
            if ((longname && pax_path) || (longlink && pax_link))
                return fail("a GNU long name and a pax path for one entry", true);
            // Readers that ignore pax take the header's size: both must agree.
            if (has_pax_size && pax_size != data) return fail("pax size disagrees with the tar header", true);
            bool has_data = type == '0' || type == '\0' || type == '7' || type == 'S' || type == 'D';
            if (!has_data && data != 0)
                return fail(std::string("a link, folder or device entry that carries data (type ") + type + ")", true);
            // Old GNU sparse files continue their map in extension headers before the data.
            if (type == 'S' && h[482] != '\0') {
                for (bool more = true; more; at += kBlock) {
                    if (at + kBlock > b.size()) return fail("truncated GNU sparse map", false);
                    more = b[at + 504] != '\0';
                }
            }
            ++w.entries;
            pax_pending = longname = longlink = pax_path = pax_link = false;
            has_pax_size = false;
            if (!body()) return fail("truncated tar entry", false);
        }
        }
        at += static_cast<std::size_t>((data + kBlock - 1) / kBlock * kBlock);
    }
    if (pax_pending || longname || longlink) return fail("a tar header that applies to no entry", true);
    if (at < b.size()) {
        // Less than a block left over: zeros are a short padding, anything else was hidden there.
        if (!all_zero(b.substr(std::min(at, b.size())))) return fail("data after the end of the tar archive", true);
    }
    return w;
}

}  // namespace mugaika::archive
