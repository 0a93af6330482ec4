#include "transfer_decode.hpp"

#include <array>
#include <cstdint>

namespace mugaika::mail {
namespace {

constexpr std::array<signed char, 256> make_table() {
    std::array<signed char, 256> t{};
    for (auto& v : t) v = -1;
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return t;
}
constexpr auto kB64 = make_table();
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

std::string decode_base64(std::string_view in, DecodeStats& stats) {
    // Written through a pointer into a buffer of the largest possible size (no per-byte growth checks),
    // cut to what was written at the end.
    std::string out(in.size() / 4 * 3 + 3, '\0');
    char* o = out.data();
    std::uint32_t acc = 0;
    int n = 0;              // sextets in the current quantum
    bool padded = false;    // '=' seen since the last quantum ended
    auto flush_partial = [&] {
        // 2 sextets carry one byte, 3 carry two; a lone sextet carries nothing.
        if (n == 2) *o++ = static_cast<char>((acc >> 4) & 0xFF);
        if (n == 3) {
            *o++ = static_cast<char>((acc >> 10) & 0xFF);
            *o++ = static_cast<char>((acc >> 2) & 0xFF);
        }
        if (n == 1) stats.truncated = true;
        acc = 0;
        n = 0;
    };
    const std::size_t size = in.size();
    for (std::size_t i = 0; i < size;) {
        // The common case: a whole quantum of four alphabet characters at a quantum boundary.
        if (n == 0 && !padded && i + 4 <= size) {
            int a = kB64[static_cast<unsigned char>(in[i])], b = kB64[static_cast<unsigned char>(in[i + 1])],
                c = kB64[static_cast<unsigned char>(in[i + 2])], d = kB64[static_cast<unsigned char>(in[i + 3])];
            if ((a | b | c | d) >= 0) {
                std::uint32_t q = (static_cast<std::uint32_t>(a) << 18) | (static_cast<std::uint32_t>(b) << 12) |
                                  (static_cast<std::uint32_t>(c) << 6) | static_cast<std::uint32_t>(d);
                o[0] = static_cast<char>((q >> 16) & 0xFF);
                o[1] = static_cast<char>((q >> 8) & 0xFF);
                o[2] = static_cast<char>(q & 0xFF);
                o += 3;
                i += 4;
                continue;
            }
        }
        char ch = in[i++];
        if (is_blank(ch)) continue;
        if (ch == '=') {
            if (n > 0) flush_partial();
            padded = true;
            continue;
        }
        int v = kB64[static_cast<unsigned char>(ch)];
        if (v < 0) {
            ++stats.skipped;
            continue;
        }
        if (padded) {
            ++stats.restarts;   // a new base64 block follows the padding of the previous one
            padded = false;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        if (++n == 4) {
            *o++ = static_cast<char>((acc >> 16) & 0xFF);
            *o++ = static_cast<char>((acc >> 8) & 0xFF);
            *o++ = static_cast<char>(acc & 0xFF);
            acc = 0;
            n = 0;
        }
    }
    if (n > 0) {
        if (n != 1) stats.truncated = true;   // missing padding: decoded, but noted
        flush_partial();
    }
    out.resize(static_cast<std::size_t>(o - out.data()));
    return out;
}

std::size_t base64_decoded_size(std::string_view in) {
    std::size_t total = 0, run = 0;   // run: sextets since the last '=' or quantum boundary
    auto close = [&] {
        total += run / 4 * 3 + (run % 4 == 2 ? 1 : run % 4 == 3 ? 2 : 0);
        run = 0;
    };
    for (char ch : in) {
        if (ch == '=') close();
        else if (kB64[static_cast<unsigned char>(ch)] >= 0) ++run;
    }
    close();
    return total;
}

std::string decode_quoted_printable(std::string_view in, DecodeStats& stats) {
    std::string out;
    out.reserve(in.size());
    std::size_t line_start = 0;
    while (line_start <= in.size()) {
        std::size_t eol = in.find('\n', line_start);
        bool has_eol = eol != std::string_view::npos;
        std::string_view line = in.substr(line_start, (has_eol ? eol : in.size()) - line_start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        bool soft = false;
        for (std::size_t i = 0; i < line.size(); ++i) {
            char c = line[i];
            if (c != '=') {
                out.push_back(c);
                continue;
            }
            if (i + 1 == line.size()) {
                soft = true;
                break;
            }
            int h = i + 2 < line.size() ? hex(line[i + 1]) : -1;
            int l = i + 2 < line.size() ? hex(line[i + 2]) : -1;
            if (h >= 0 && l >= 0) {
                out.push_back(static_cast<char>(h * 16 + l));
                i += 2;
            } else {
                ++stats.skipped;
                out.push_back('=');
            }
        }
        if (!has_eol) break;
        if (!soft) out += "\n";
        line_start = eol + 1;
    }
    return out;
}

std::string decode_q(std::string_view in, DecodeStats& stats) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '_') {
            out.push_back(' ');
        } else if (c == '=' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2])));
            i += 2;
        } else {
            if (c == '=') ++stats.skipped;
            out.push_back(c);
        }
    }
    return out;
}

std::string encode_base64(std::string_view in, std::size_t line_length) {
    // Written straight into a buffer of the exact size: this runs over every byte that leaves.
    std::size_t chars = (in.size() + 2) / 3 * 4;
    std::size_t lines = line_length ? (chars + line_length - 1) / line_length : 0;
    std::string out(chars + 2 * lines, '\0');
    char* o = out.data();
    std::size_t col = 0;
    auto put4 = [&](char a, char b, char c, char d) {
        *o++ = a;
        *o++ = b;
        *o++ = c;
        *o++ = d;
        if (line_length && (col += 4) >= line_length) {
            *o++ = '\r';
            *o++ = '\n';
            col = 0;
        }
    };
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        std::uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
        put4(kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]);
    }
    if (i < in.size()) {
        std::uint32_t v = p[i] << 16;
        if (i + 1 < in.size()) v |= p[i + 1] << 8;
        put4(kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=', '=');
    }
    if (line_length && col) {
        *o++ = '\r';
        *o++ = '\n';
    }
    out.resize(static_cast<std::size_t>(o - out.data()));
    return out;
}

}  // namespace mugaika::mail
