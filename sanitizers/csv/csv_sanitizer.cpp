#include "csv_sanitizer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "../text/text_filter.hpp"
#include "csv_table.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika {
namespace {

// What makes Excel, LibreOffice or Google Sheets read a cell as a formula, full-width forms included
// (Japanese IMEs produce them and Excel converts them on input).
constexpr std::array<std::string_view, 10> kTriggers{
    "=", "+", "-", "@", "\t", "\r", "\xEF\xBC\x9D" /*＝*/, "\xEF\xBC\x8B" /*＋*/, "\xEF\xBC\x8D" /*－*/,
    "\xEF\xBC\xA0" /*＠*/,
};

// Spaces a reader may skip before it looks for '=' (ASCII, no-break, ideographic).
std::string_view skip_spaces(std::string_view v) {
    while (!v.empty()) {
        if (v[0] == ' ') v.remove_prefix(1);
        else if (v.starts_with("\xC2\xA0")) v.remove_prefix(2);
        else if (v.starts_with("\xE3\x80\x80")) v.remove_prefix(3);
        else break;
    }
    return v;
}

bool digit(char c) { return c >= '0' && c <= '9'; }

// A number as accounting exports write it: a sign, a currency mark, digits with or without
// thousands separators, decimals, an exponent, a percent sign ("-1,234", "+3", "-¥1,234.5",
// "1.5E+3", "-5%"). Excel reads such a field as that number and nothing else: there is no name in
// it, so no function to call and no reference to follow. It stays a number rather than becoming text.
bool is_plain_number(std::string_view v) {
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    std::size_t i = 0;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    for (std::string_view cur : {"\xC2\xA5" /*¥*/, "\xEF\xBF\xA5" /*￥*/, "$"})
        if (v.substr(i).starts_with(cur)) {
            i += cur.size();
            break;
        }
    std::size_t int_start = i;
    while (i < v.size() && digit(v[i])) ++i;
    std::size_t first_group = i - int_start;
    // Thousands separators: groups of exactly three digits after a first group of one to three.
    while (first_group >= 1 && first_group <= 3 && i + 3 < v.size() && v[i] == ',' && digit(v[i + 1]) &&
           digit(v[i + 2]) && digit(v[i + 3]) && (i + 4 == v.size() || !digit(v[i + 4])))
        i += 4;
    bool int_digits = i > int_start;
    bool frac_digits = false;
    if (i < v.size() && v[i] == '.') {
        ++i;
        while (i < v.size() && digit(v[i])) {
            ++i;
            frac_digits = true;
        }
    }
    if (!int_digits && !frac_digits) return false;
    if (i < v.size() && (v[i] == 'E' || v[i] == 'e')) {
        std::size_t j = i + 1;
        if (j < v.size() && (v[j] == '+' || v[j] == '-')) ++j;
        if (j >= v.size() || !digit(v[j])) return false;
        while (j < v.size() && digit(v[j])) ++j;
        i = j;
    }
    if (i < v.size() && v[i] == '%') ++i;
    return i == v.size();
}

// Placeholders such as "-" or "---" that Excel keeps as text.
bool only_dashes(std::string_view v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c == '-'; });
}

// A field the application splitting the file this way would evaluate.
bool is_formula(std::string_view v) {
    if (!v.empty() && (v[0] == '\t' || v[0] == '\r')) return true;
    v = skip_spaces(v);
    if (v.empty() || is_plain_number(v) || only_dashes(v)) return false;
    for (auto t : kTriggers)
        if (v.starts_with(t)) return true;
    return false;
}

// Arithmetic on constants at most: no letter, so no function, name or reference; no quote, '!', '|'
// or '[', so nothing outside the sheet. Harmless even when a reader evaluates it.
bool inert(std::string_view v) {
    return std::all_of(v.begin(), v.end(), [](char c) {
        return digit(c) || std::string_view(" +-*/^%.,()$").find(c) != std::string_view::npos;
    });
}

std::string cell_name(std::size_t row, std::size_t col) {
    std::string letters;
    for (std::size_t c = col + 1; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), char('A' + (c - 1) % 26));
    return letters + std::to_string(row + 1);
}

std::string delimiter_name(char d) { return d == ',' ? "comma" : d == ';' ? "semicolon" : "tab"; }

// Excel honours a first line "sep=X" and splits on X instead: one more way to choose the split. The
// line goes (with a finding) so that the file is split as we neutralised it.
bool remove_sep_line(std::string& s) {
    std::string_view head(s);
    if (head.starts_with("\"")) head.remove_prefix(1);
    if (head.size() < 4) return false;
    std::string h(head.substr(0, 4));
    for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (h != "sep=") return false;
    std::size_t end = s.find_first_of("\r\n");
    if (end == std::string::npos) end = s.size();
    else if (s[end] == '\r' && end + 1 < s.size() && s[end + 1] == '\n') end += 2;
    else ++end;
    s.erase(0, end);
    return true;
}

class CsvSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "csv"; }
    std::vector<std::string> types() const override { return {"csv"}; }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        auto decoded = text::decode_or_quarantine(in.bytes);
        std::size_t controls = text::strip_controls(decoded.utf8);
        if (controls)
            ctx.add("text.control", Action::removed, std::to_string(controls) + " control characters removed",
                    "CSV中の制御文字を取り除きました。");
        bool sep = remove_sep_line(decoded.utf8);
        if (sep)
            ctx.add("csv.sep", Action::removed, "first line sep= (chooses the delimiter) removed",
                    "区切り文字を指定する行(sep=)を削除しました(表計算ソフトが想定と違う区切り方をしないようにするためです)。");

        // The engine has already given the file the name it will carry: the application that opens
        // it splits a .csv on commas (Excel in Japan, whatever the header says) and a .tsv or .txt on
        // tabs. Those cells are neutralised whatever they hold, plain numbers aside. The other common
        // splits (a UTF-16 .csv is split on tabs by Excel, LibreOffice offers ';' and tab) are
        // checked too, for anything that could call a function or reach outside.
        auto dot = in.name.rfind('.');
        std::string ext = dot == std::string::npos ? "" : in.name.substr(dot + 1);
        for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const char primary = ext == "csv" ? ',' : '\t';

        std::vector<std::size_t> inserts;
        std::size_t primary_cells = 0, other_cells = 0, visited = 0;
        std::string cells, other_detail;
        for (char d : {',', '\t', ';'}) {
            const bool is_primary = d == primary;
            bool closed = csv::split(decoded.utf8, d, [&](const csv::Field& f) {
                if (++visited % 4096 == 0) ctx.check_time();
                bool bad = is_primary ? is_formula(f.value) : is_formula(f.value) && !inert(f.value);
                if (!bad) return;
                inserts.push_back(f.value_start);
                if (is_primary) {
                    if (++primary_cells <= 10) cells += (cells.empty() ? "" : ", ") + cell_name(f.row, f.column);
                } else if (++other_cells <= 5) {
                    other_detail += (other_detail.empty() ? "" : ", ") + delimiter_name(d) + " row " + std::to_string(f.row + 1);
                }
            });
            // Another reader's split may run a stray quote to the end; ours must not be ambiguous.
            if (!closed && is_primary) throw SanitizeError(reason::malformed, "a quoted CSV field is never closed");
        }
        std::sort(inserts.begin(), inserts.end());
        inserts.erase(std::unique(inserts.begin(), inserts.end()), inserts.end());

        if (inserts.empty() && controls == 0 && !sep) return {Output{"", "csv", std::string(in.bytes)}};
        std::string out;
        out.reserve(decoded.utf8.size() + inserts.size());
        std::size_t from = 0;
        for (std::size_t at : inserts) {
            out.append(decoded.utf8, from, at - from);
            out.push_back('\'');
            from = at;
        }
        out.append(decoded.utf8, from, std::string::npos);
        verify(out, primary, ctx);

        if (primary_cells)
            ctx.add("csv.formula", Action::converted,
                    std::to_string(primary_cells) + " cells that would run as formulas when split on " +
                        delimiter_name(primary) + ": " + cells + (primary_cells > 10 ? ", ..." : ""),
                    "数式として実行されるおそれのあるセルを無効化しました。");
        if (other_cells)
            ctx.add("csv.formula", Action::converted,
                    std::to_string(other_cells) + " fields that would run as formulas if the file were split another way (" +
                        other_detail + (other_cells > 5 ? ", ..." : "") + ")",
                    "別の区切り方で開いた場合に数式として実行されるおそれのある部分も無効化しました。");
        return {Output{"", "csv", text::encode_like(decoded, out, ctx)}};
    }

private:
    // The rule holds on what we release, under every split, or nothing is released.
    static void verify(const std::string& out, char primary, Context& ctx) {
        for (char d : {',', '\t', ';'}) {
            bool is_primary = d == primary;
            std::size_t visited = 0;
            csv::split(out, d, [&](const csv::Field& f) {
                if (++visited % 4096 == 0) ctx.check_time();
                if (is_primary ? is_formula(f.value) : is_formula(f.value) && !inert(f.value))
                    throw SanitizeError(reason::internal, "a formula survived CSV neutralisation in row " +
                                                              std::to_string(f.row + 1));
            });
        }
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_csv_sanitizer() { return std::make_shared<CsvSanitizer>(); }

}  // namespace mugaika
