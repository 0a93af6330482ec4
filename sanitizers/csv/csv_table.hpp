// RFC 4180 reading and writing, lenient where Excel is (a stray quote inside an unquoted field is text)
// and strict where ambiguity would hide data (an unterminated quoted field is malformed).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika::csv {

struct Field {
    std::string value;
    bool quoted = false;
};

struct Table {
    std::vector<std::vector<Field>> rows;
    char delimiter = ',';
    std::string line_end = "\r\n";
    bool trailing_line_end = true;
};

// Splits UTF-8 text into rows. nullopt when a quoted field never ends.
std::optional<Table> read(std::string_view utf8, char delimiter);
// The delimiter of a table: tab for .tsv/.tab names, otherwise what the first line uses most.
char guess_delimiter(std::string_view utf8, std::string_view extension);
std::string write(const Table& table);

}  // namespace mugaika::csv
