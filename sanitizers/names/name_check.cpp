// File name checks. A name comes from the outside (a mail header, a share, an archive member) and ends
// up on an LGWAN file server, so the safe name must be harmless on Windows and tell no lies.
#include "mugaika/names.hpp"
#include "mugaika/utf8_prefix.hpp"

#include "../text/charset.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace mugaika {
namespace {

// Extensions that make Windows run code, install something or connect out whatever the content: a name
// ending in one of these is held, never renamed (a disguise is a signal for the officer). This list
// only decides what is refused outright; what a text output may be called is an allowlist
// (plain_text_name), so text under a name missing here (.iqy, .rdp, .theme, ...) still cannot act.
constexpr std::array<std::string_view, 77> kDangerous{
    "exe", "com", "scr", "pif", "bat", "cmd", "vbs", "vbe", "js", "jse", "wsf", "wsh", "wsc",
    "ps1", "ps1xml", "ps2", "psc1", "psm1", "psd1", "msh", "msi", "msp", "mst", "lnk", "url",
    "hta", "cpl", "dll", "ocx", "sys", "drv", "jar", "reg", "inf", "scf", "sct", "chm", "hlp",
    "iso", "img", "vhd", "vhdx", "appx", "appxbundle", "msix", "msixbundle", "application",
    "gadget", "shb", "shs", "xbap", "xll", "xla", "xlam", "ppa", "ppam", "wll", "msc",
    "diagcab", "settingcontent-ms", "library-ms", "searchconnector-ms", "website", "appref-ms",
    "py", "pyw", "pyc", "pl", "rb", "sh", "bash", "apk", "app", "dmg", "pkg", "deb", "rpm",
};

// Extensions people trust at a glance; one of these before a dangerous one is a disguise.
constexpr std::array<std::string_view, 24> kDecoy{
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "jpg", "jpeg", "png",
    "gif", "zip", "rtf", "htm", "html", "eml", "mp3", "mp4", "wav", "bmp", "tif", "tiff",
};

constexpr std::array<std::string_view, 22> kDevices{
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
};

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool contains(auto const& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

bool is_bidi_control(UChar32 c) {
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

bool is_invisible(UChar32 c) {
    return (c >= 0x200B && c <= 0x200D) || c == 0xFEFF || c == 0x2060 || c == 0x180E;
}

void add(NameCheck& r, std::string_view kind, Action action, std::string detail, std::string ja) {
    r.findings.push_back(Finding{"", std::string(kind), action, std::move(detail), std::move(ja)});
}

// Splits "a.b.c" into its dot-separated extensions after the stem, lowercase, trimmed of spaces
// (people hide extensions behind runs of spaces: "請求書.pdf          .exe").
std::vector<std::string> extensions_of(std::string_view name) {
    std::vector<std::string> exts;
    auto first = name.find('.');
    if (first == std::string_view::npos) return exts;
    std::string_view rest = name.substr(first + 1);
    while (true) {
        auto dot = rest.find('.');
        std::string part(rest.substr(0, dot));
        part.erase(0, part.find_first_not_of(' '));
        part.erase(part.find_last_not_of(' ') + 1);
        exts.push_back(part);
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
    }
    return exts;
}

}  // namespace

bool is_dangerous_extension(std::string_view ext) { return contains(kDangerous, ext); }

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    int32_t i = 0, n = static_cast<int32_t>(s.size());
    while (i < n) {
        int32_t start = i;
        UChar32 c;
        U8_NEXT(p, i, n, c);
        if (c < 0) out += "\uFFFD";
        else out.append(s.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start)));
    }
    return out;
}

std::string with_extension(std::string_view name, std::string_view ext) {
    auto dot = name.rfind('.');
    std::string stem(dot == std::string_view::npos || dot == 0 ? name : name.substr(0, dot));
    return ext.empty() ? stem : stem + "." + std::string(ext);
}

std::string plain_text_name(std::string_view name, const PlainTextNaming& naming) {
    auto dot = name.rfind('.');
    std::string ext = dot == std::string_view::npos || dot == 0 ? "" : lower_ascii(name.substr(dot + 1));
    if (extension_in(naming.allowed, ext)) return std::string(name);
    std::string suffix = "." + std::string(naming.append);
    return std::string(utf8_prefix(name, max_name_bytes - suffix.size())) + suffix;
}

std::string display_name(std::string_view raw) {
    if (charset::is_valid_utf8(raw)) return std::string(raw);
    if (auto cp932 = charset::decode(raw, "Shift_JIS")) return *cp932;
    return valid_utf8(raw);
}

NameCheck check_name(std::string_view raw) {
    NameCheck r;

    // 0. A name that is not UTF-8 but is CP932 (what Japanese Windows writes: an old SMB or NFS client,
    //    a zip without the UTF-8 flag) is read as CP932 first, as the zip reader does: a 0x5C inside a
    //    CP932 character is not a backslash, and the name keeps its characters instead of losing them.
    std::string decoded;
    if (!charset::is_valid_utf8(raw)) {
        if (auto cp932 = charset::decode(raw, "Shift_JIS")) {
            decoded = std::move(*cp932);
            raw = decoded;
            add(r, "name.encoding", Action::renamed, "name was CP932 (Shift_JIS), not UTF-8; converted",
                "ファイル名がShift_JIS(CP932)で書かれていたため、UTF-8に変換しました。");
        }
    }

    // 1. Keep only the last path component.
    std::string_view base = raw;
    if (auto sep = raw.find_last_of("/\\"); sep != std::string_view::npos) {
        add(r, "name.path", Action::removed, "path separators in name",
            "ファイル名に含まれるフォルダー指定を取り除きました。");
        if (raw.find("..") != std::string_view::npos)
            add(r, "name.traversal", Action::removed, "'..' path component in name",
                "ファイル名に含まれる上位フォルダーへの指定(..)を取り除きました。");
        base = raw.substr(sep + 1);
    }

    // 2. Decode UTF-8, dropping controls, bidi overrides and invisible characters.
    icu::UnicodeString text;
    bool bad_utf8 = false, control = false, bidi = false, invisible = false;
    for (int32_t i = 0, n = static_cast<int32_t>(base.size()); i < n;) {
        UChar32 c;
        U8_NEXT(reinterpret_cast<const uint8_t*>(base.data()), i, n, c);
        if (c < 0) { bad_utf8 = true; text.append(UChar32('_')); continue; }
        if (is_bidi_control(c)) { bidi = true; continue; }
        if (is_invisible(c)) { invisible = true; continue; }
        if (u_iscntrl(c) || c == 0x7F) { control = true; continue; }
        text.append(c);
    }
    if (bidi) {
        add(r, "name.bidi", Action::removed, "bidirectional control characters (e.g. U+202E) in name",
            "ファイル名の表示順を偽装する制御文字(RLO等)を取り除きました。");
        r.dangerous = true;   // only ever used to disguise an extension
    }
    if (invisible)
        add(r, "name.invisible", Action::removed, "zero-width characters in name",
            "ファイル名の見えない文字を取り除きました。");
    if (control)
        add(r, "name.control", Action::removed, "control characters in name",
            "ファイル名の制御文字を取り除きました。");
    if (bad_utf8)
        add(r, "name.encoding", Action::renamed, "name is not valid UTF-8",
            "ファイル名の文字コードが不正なため、一部の文字を置き換えました。");

    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_SUCCESS(status)) {
        icu::UnicodeString normal = nfc->normalize(text, status);
        if (U_SUCCESS(status)) text = normal;
    }
    std::string name;
    text.toUTF8String(name);

    // 3. Characters Windows refuses.
    bool reserved = false;
    for (char& c : name)
        if (std::string_view("<>:\"|?*").find(c) != std::string_view::npos) { c = '_'; reserved = true; }
    if (reserved)
        add(r, "name.reserved_chars", Action::renamed, "characters Windows reserves in name",
            "Windowsで使えない文字を「_」に置き換えました。");

    // 4. Leading dots (hidden files, "..") and trailing dots and spaces (Windows drops them, which
    //    turns "evil.exe." into "evil.exe").
    std::size_t lead = name.find_first_not_of(". ");
    std::size_t trail = name.find_last_not_of(". ");
    if (lead == std::string::npos) {
        name.clear();
    } else {
        if (trail + 1 < name.size())
            add(r, "name.trailing", Action::removed, "trailing dots or spaces in name",
                "ファイル名末尾のピリオドや空白を取り除きました。");
        if (lead > 0 && name.compare(0, lead, std::string(lead, ' ')) != 0)
            add(r, "name.hidden", Action::removed, "leading dots in name",
                "ファイル名先頭のピリオドを取り除きました。");
        name = name.substr(lead, trail + 1 - lead);
    }
    if (name.empty()) name = "file";

    // 5. Extensions: a dangerous last one, or one hidden behind a decoy.
    auto exts = extensions_of(name);
    if (!exts.empty()) {
        const std::string last = lower_ascii(exts.back());
        if (is_dangerous_extension(last)) {
            r.dangerous = true;
            bool decoy = std::any_of(exts.begin(), exts.end() - 1,
                                     [](const std::string& e) { return contains(kDecoy, lower_ascii(e)); });
            if (decoy)
                add(r, "name.double_extension", Action::blocked,
                    "executable extension ." + last + " hidden behind a document extension",
                    "文書に見せかけた実行形式の二重拡張子(." + last + ")です。");
            else
                add(r, "name.dangerous_extension", Action::blocked, "executable or script extension ." + last,
                    "実行形式またはスクリプトの拡張子(." + last + ")です。");
        }
        // Normalise "a.pdf    .exe" to "a.pdf.exe" so that no run of spaces hides anything.
        std::string rebuilt = name.substr(0, name.find('.'));
        for (const auto& e : exts) rebuilt += "." + e;
        if (rebuilt.size() != name.size() && name.find(' ') != std::string::npos) {
            add(r, "name.spaces", Action::renamed, "spaces around extension dots",
                "拡張子の前後の空白を取り除きました。");
        }
        name = std::move(rebuilt);
    }

    // 6. Reserved device names (CON, NUL, COM1 ...) whatever the extension.
    std::string stem = lower_ascii(name.substr(0, name.find('.')));
    stem.erase(stem.find_last_not_of(' ') + 1);
    if (contains(kDevices, stem)) {
        add(r, "name.reserved_device", Action::renamed, "reserved device name " + stem,
            "Windowsの予約デバイス名のため、名前を変更しました。");
        name = "_" + name;
    }

    // 7. Length, keeping the extension.
    if (name.size() > max_name_bytes) {
        auto dot = name.rfind('.');
        std::string ext = dot != std::string::npos && name.size() - dot <= 16 ? name.substr(dot) : "";
        name = std::string(utf8_prefix(name, max_name_bytes - ext.size())) + ext;
        add(r, "name.too_long", Action::renamed, "name longer than " + std::to_string(max_name_bytes) + " bytes",
            "ファイル名が長すぎるため短くしました。");
    }

    auto dot = name.rfind('.');
    r.extension = dot == std::string::npos || dot == 0 ? "" : lower_ascii(name.substr(dot + 1));
    r.safe_name = std::move(name);
    return r;
}

}  // namespace mugaika
