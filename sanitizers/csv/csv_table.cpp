#include "csv_table.hpp"

namespace mugaika::csv {

char guess_delimiter(std::string_view s, std::string_view ext) {
    if (ext == "tsv" || ext == "tab") return '\t';
    std::string_view first = s.substr(0, s.find_first_of("\r\n"));
    std::size_t commas = 0, tabs = 0, semis = 0;
    bool in_quotes = false;
    for (char c : first) {
        if (c == '"') in_quotes = !in_quotes;
        else if (!in_quotes) {
            commas += c == ',';
            tabs += c == '\t';
            semis += c == ';';
        }
    }
    if (tabs > commas && tabs >= semis) return '\t';
    if (semis > commas && semis > tabs) return ';';
    return ',';
}

std::optional<Table> read(std::string_view s, char delimiter) {
    Table t;
    t.delimiter = delimiter;
    bool line_end_seen = false;   // the first record separator outside quotes sets the style
    t.trailing_line_end = !s.empty() && (s.back() == '\n' || s.back() == '\r');

    std::vector<Field> row;
    Field field;
    bool at_field_start = true, in_quotes = false, row_has_content = false;
    auto end_field = [&] {
        row.push_back(std::move(field));
        field = Field{};
        at_field_start = true;
    };
    auto end_row = [&] {
        end_field();
        t.rows.push_back(std::move(row));
        row.clear();
        row_has_content = false;
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < s.size() && s[i + 1] == '"') { field.value.push_back('"'); ++i; }
                else in_quotes = false;
            } else {
                field.value.push_back(c);
            }
            continue;
        }
        if (c == '"' && at_field_start) { in_quotes = true; field.quoted = true; at_field_start = false; row_has_content = true; continue; }
        if (c == delimiter) { end_field(); row_has_content = true; continue; }
        if (c == '\r' || c == '\n') {
            bool crlf = c == '\r' && i + 1 < s.size() && s[i + 1] == '\n';
            if (!line_end_seen) {
                t.line_end = crlf ? "\r\n" : std::string(1, c);
                line_end_seen = true;
            }
            if (crlf) ++i;
            end_row();
            continue;
        }
        field.value.push_back(c);
        at_field_start = false;
        row_has_content = true;
    }
    if (in_quotes) return std::nullopt;
    if (row_has_content || !row.empty()) end_row();
    return t;
}

std::string write(const Table& t) {
    std::string out;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        const auto& row = t.rows[r];
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c) out.push_back(t.delimiter);
            const Field& f = row[c];
            bool quote = f.quoted || f.value.find_first_of(std::string("\"\r\n") + t.delimiter) != std::string::npos;
            if (!quote) { out += f.value; continue; }
            out.push_back('"');
            for (char ch : f.value) {
                if (ch == '"') out.push_back('"');
                out.push_back(ch);
            }
            out.push_back('"');
        }
        if (r + 1 < t.rows.size() || t.trailing_line_end) out += t.line_end;
    }
    return out;
}

}  // namespace mugaika::csv
