#include "csv_sanitizer.hpp"

#include <array>
#include <cctype>

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

// A plain signed number ("-12", "+3.5") cannot be a formula; leave it a number.
bool is_plain_number(std::string_view v) {
    std::size_t i = 0;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    bool digits = false, dot = false;
    for (; i < v.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(v[i]))) digits = true;
        else if (v[i] == '.' && !dot) dot = true;
        else return false;
    }
    return digits;
}

bool is_formula(std::string_view v) {
    if (v.empty() || is_plain_number(v)) return false;
    for (auto t : kTriggers)
        if (v.starts_with(t)) return true;
    return false;
}

std::string cell_name(std::size_t row, std::size_t col) {
    std::string letters;
    for (std::size_t c = col + 1; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), char('A' + (c - 1) % 26));
    return letters + std::to_string(row + 1);
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

        auto dot = in.name.rfind('.');
        std::string ext = dot == std::string::npos ? "" : in.name.substr(dot + 1);
        for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto table = csv::read(decoded.utf8, csv::guess_delimiter(decoded.utf8, ext));
        if (!table) throw SanitizeError(reason::malformed, "a quoted CSV field is never closed");

        std::size_t neutralised = 0;
        std::string cells;
        for (std::size_t r = 0; r < table->rows.size(); ++r) {
            if (r % 1024 == 0) ctx.check_time();
            for (std::size_t c = 0; c < table->rows[r].size(); ++c) {
                auto& field = table->rows[r][c];
                if (!is_formula(field.value)) continue;
                field.value.insert(0, "'");
                if (++neutralised <= 10) cells += (cells.empty() ? "" : ", ") + cell_name(r, c);
            }
        }
        if (neutralised == 0 && controls == 0) return {Output{"", "csv", std::string(in.bytes)}};
        if (neutralised)
            ctx.add("csv.formula", Action::converted,
                    std::to_string(neutralised) + " cells that would run as formulas: " + cells +
                        (neutralised > 10 ? ", ..." : ""),
                    "数式として実行されるおそれのあるセルを無効化しました。");
        return {Output{"", "csv", text::encode_like(decoded, csv::write(*table), ctx)}};
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_csv_sanitizer() { return std::make_shared<CsvSanitizer>(); }

}  // namespace mugaika
