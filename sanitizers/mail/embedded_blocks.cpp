#include "embedded_blocks.hpp"

#include <cctype>
#include <string_view>

namespace mugaika::mail {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto eol = text.find('\n', start);
        if (eol == std::string_view::npos) eol = text.size();
        lines.push_back(text.substr(start, eol - start));
        start = eol + 1;
    }
    return lines;
}

std::string_view chomp(std::string_view l) {
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
    return l;
}

// "begin 644 name": three octal digits (sometimes four) and a name.
bool uu_begin(std::string_view l, std::string& name) {
    if (!l.starts_with("begin ")) return false;
    std::size_t i = 6;
    std::size_t digits = 0;
    while (i < l.size() && l[i] >= '0' && l[i] <= '7') ++i, ++digits;
    if (digits < 3 || digits > 4 || i >= l.size() || l[i] != ' ') return false;
    name = std::string(l.substr(i + 1));
    return !name.empty();
}

// A uuencoded line: its length character says how many bytes it carries.
bool uu_line(std::string_view l) {
    if (l.empty()) return false;
    int n = (l[0] - 0x20) & 0x3F;
    if (n == 0) return l.size() <= 2;   // the "`" or " " line before "end"
    std::size_t expect = (static_cast<std::size_t>(n) + 2) / 3 * 4 + 1;
    if (l.size() < expect - 1 || l.size() > expect + 2) return false;
    for (char c : l)
        if (c < 0x20 || c > 0x60) return false;
    return true;
}

}  // namespace

std::vector<EmbeddedBlock> cut_embedded_blocks(std::string& text) {
    std::vector<EmbeddedBlock> found;
    // Cheap exit for the usual case.
    if (text.find("begin ") == std::string::npos && text.find("BinHex") == std::string::npos &&
        text.find("-----BEGIN PGP") == std::string::npos)
        return found;
    auto lines = split_lines(text);
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view l = chomp(lines[i]);
        std::string name;
        if (uu_begin(l, name) && i + 1 < lines.size() && uu_line(chomp(lines[i + 1]))) {
            // The block is its encoded lines (and "end"); text after a block that never ends stays.
            std::size_t j = i + 1;
            while (j < lines.size() && uu_line(chomp(lines[j]))) ++j;
            if (j >= lines.size() || chomp(lines[j]) != "end") --j;
            found.push_back({EmbeddedBlock::Kind::uuencode, name});
            out += "[uuencodeされたファイル「" + name + "」は取り除きました]\n";
            i = j;
            continue;
        }
        if (l.starts_with("(This file must be converted with BinHex")) {
            std::size_t j = i + 1;
            // The data runs from a ':' line to the next line ending in ':'.
            while (j < lines.size() && chomp(lines[j]).empty()) ++j;
            if (j < lines.size() && chomp(lines[j]).starts_with(":")) {
                std::size_t k = j;
                for (; k < lines.size(); ++k) {
                    std::string_view c = chomp(lines[k]);
                    if ((k > j || c.size() > 1) && c.ends_with(":")) break;
                }
                found.push_back({EmbeddedBlock::Kind::binhex, ""});
                out += "[BinHex形式のファイルは取り除きました]\n";
                i = k < lines.size() ? k : lines.size();
                continue;
            }
        }
        if (l == "-----BEGIN PGP MESSAGE-----" || l == "-----BEGIN PGP SIGNATURE-----") {
            bool message = l == "-----BEGIN PGP MESSAGE-----";
            std::string end = message ? "-----END PGP MESSAGE-----" : "-----END PGP SIGNATURE-----";
            std::size_t j = i + 1;
            while (j < lines.size() && chomp(lines[j]) != end) ++j;
            found.push_back({message ? EmbeddedBlock::Kind::pgp_message : EmbeddedBlock::Kind::pgp_signature, ""});
            out += message ? "[PGPで暗号化された部分は取り除きました]\n" : "[PGP署名は取り除きました]\n";
            i = j;
            continue;
        }
        out.append(lines[i]);
        out += "\n";
    }
    if (!found.empty()) text = std::move(out);
    return found;
}

}  // namespace mugaika::mail
