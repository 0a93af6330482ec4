#include "csv_table.hpp"

namespace mugaika::csv {

bool split(std::string_view s, char delimiter, const std::function<void(const Field&)>& visit) {
    Field f;
    bool at_start = true, in_quotes = false, pending = false;
    auto begin_field = [&](std::size_t at) {
        f.start = f.value_start = at;
        f.quoted = false;
        f.value.clear();
        at_start = true;
        pending = true;
    };
    auto end_field = [&] {
        visit(f);
        ++f.column;
        pending = false;
    };
    begin_field(0);
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (in_quotes) {
            if (c != '"') {
                f.value.push_back(c);
            } else if (i + 1 < s.size() && s[i + 1] == '"') {
                f.value.push_back('"');
                ++i;
            } else {
                in_quotes = false;
            }
            continue;
        }
        if (c == '"' && at_start) {
            in_quotes = f.quoted = true;
            f.value_start = i + 1;
            at_start = false;
            continue;
        }
        if (c == delimiter) {
            end_field();
            begin_field(i + 1);
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
            end_field();
            ++f.row;
            f.column = 0;
            begin_field(i + 1);
            continue;
        }
        f.value.push_back(c);
        at_start = false;
    }
    // A record after the last line end only when something is in it (a final CRLF ends the file).
    if (pending && (in_quotes || f.quoted || !f.value.empty() || f.column > 0)) visit(f);
    return !in_quotes;
}

}  // namespace mugaika::csv
