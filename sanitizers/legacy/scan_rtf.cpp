// RTF: control words are read as RTF readers read them (a backslash, letters, an optional number);
// everything else is skipped. Hex-encoded object data is never decoded here.
#include <cctype>
#include <string>

#include "scan.hpp"

namespace mugaika::legacy {
namespace {

// The plain text of a field instruction: what follows \fldinst, control words and braces left out.
std::string first_word_after(std::string_view s, std::size_t pos) {
    std::string word;
    int depth = 0;
    for (std::size_t i = pos; i < s.size() && i < pos + 512 && word.size() < 16; ++i) {
        char c = s[i];
        if (c == '\\') {   // skip a control word or symbol
            ++i;
            while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
            while (i < s.size() && (s[i] == '-' || std::isdigit(static_cast<unsigned char>(s[i])))) ++i;
            if (i < s.size() && s[i] != ' ') --i;
            if (!word.empty()) break;
            continue;
        }
        if (c == '{') { ++depth; continue; }
        if (c == '}') {
            if (--depth < 0) break;
            continue;
        }
        if (std::isalpha(static_cast<unsigned char>(c))) word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        else if (!word.empty()) break;
    }
    return word;
}

}  // namespace

void scan_rtf(std::string_view s, Context& ctx, Tally& tally) {
    std::size_t words = 0;
    for (std::size_t pos = s.find('\\'); pos != std::string_view::npos; pos = s.find('\\', pos + 1)) {
        std::size_t start = pos + 1, end = start;
        while (end < s.size() && end - start < 32 && std::isalpha(static_cast<unsigned char>(s[end]))) ++end;
        if (end == start) {
            ++pos;   // a control symbol (\\, \{, \'hh): its second character is not a new control word
            continue;
        }
        std::string_view w = s.substr(start, end - start);
        if (w == "objdata") tally.add("legacy.ole", "\\objdata");
        else if (w == "objupdate") tally.add("legacy.objupdate", "\\objupdate");
        else if (w == "objautlink" || w == "objlink") tally.add("legacy.external_link", "linked object \\" + std::string(w));
        else if (w == "objocx") tally.add("legacy.activex", "\\objocx");
        else if (w == "template") tally.add("legacy.template", "\\template");
        else if (w == "fldinst") {
            std::string f = first_word_after(s, end);
            if (f == "DDE" || f == "DDEAUTO") tally.add("legacy.dde", "field " + f);
            else if (f == "INCLUDETEXT" || f == "INCLUDEPICTURE" || f == "INCLUDE" || f == "LINK" || f == "IMPORT")
                tally.add("legacy.external_link", "field " + f);
        }
        pos = end - 1;
        if (++words % 65536 == 0) ctx.check_time();
    }
}

}  // namespace mugaika::legacy
