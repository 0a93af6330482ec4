// Spreadsheet formulas as Excel reads them (the stored form of OOXML: no leading '=', ',' between
// arguments): one tokenizer and one judge for every formula of a package, cells, shared formulas,
// defined names, conditional formats, data validations, x14 extensions, chart references.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika::ooxml::formula {

enum class Kind {
    number,      // 12, 1.5E+3, .5
    string,      // "text" (value unescaped: "" -> ")
    boolean,     // TRUE, FALSE
    error,       // #REF!, #N/A, ...
    name,        // a reference or a name: A1, $B$2, Sheet1, 税率, _xlpm.x, Table1 (before a bracket)
    function,    // a name directly followed by '(' (the '(' is the next token)
    sheet,       // a sheet (or workbook) prefix ending in '!': Sheet1!, 'My Sheet'!, [1]Sheet1! (value: inside)
    bracket,     // a bracket group: a structured reference part [Col], [[#This Row],[A]], or [1] (value: inside)
    open, close,           // ( )
    brace_open, brace_close,   // { } array constants
    comma, semicolon,      // argument or union separator; array row separator
    op,          // + - * / ^ & = < > <= >= <> % : @ # and the space intersection is left out
    space,       // spaces and line breaks
    pipe,        // | : DDE (app|topic!item); never valid otherwise
};

struct Token {
    Kind kind;
    std::string text;   // as written; strings and quoted sheet names unescaped
    bool quoted = false;   // a sheet prefix written in single quotes
};

// Splits a formula. nullopt (with `error` set) for anything outside Excel's grammar: an unterminated
// string, quoted name or bracket, an unknown character. A formula we cannot read is not kept.
std::optional<std::vector<Token>> tokenize(std::string_view formula, std::string* error = nullptr);

// Why a formula may not stay ("" when it may): not understood; a DDE call; a reference into another
// workbook or a file path; a function not on the allowlist of pure worksheet functions (CALL,
// REGISTER, EXEC, RTD, WEBSERVICE, IMAGE, FILTERXML, INFO, CUBE*, add-in and user-defined functions,
// XLM macro functions, ...); a HYPERLINK whose target is not one literal https:// or mailto: string
// (or an in-workbook "#Sheet!A1" jump), since anything computed (concatenation, CHAR(92), a cell) can
// turn into a UNC path. With `links_external` false, only in-workbook jumps are kept.
std::string problem(std::string_view formula, bool links_external);

// True for a function on the allowlist (upper case, without _xlfn./_xlws. prefixes).
bool function_allowed(std::string_view upper_name);
// The allowlist, sorted (for tests).
std::vector<std::string_view> allowed_functions();

}  // namespace mugaika::ooxml::formula
