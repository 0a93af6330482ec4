// The spreadsheet formula tokenizer and judge, and the Word field instruction judge, on arbitrary
// text. Neither may crash or hang; a formula the judge keeps must have tokenized and hold no DDE
// pipe; a stricter links policy never keeps more than the looser one.
#include <cstdint>
#include <string_view>

#include "ooxml/field.hpp"
#include "ooxml/formula.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    namespace f = mugaika::ooxml::formula;
    auto tokens = f::tokenize(text);
    std::string loose = f::problem(text, true), strict = f::problem(text, false);
    if (loose.empty()) {
        if (!tokens) __builtin_trap();
        for (const auto& t : *tokens)
            if (t.kind == f::Kind::pipe) __builtin_trap();
    }
    if (strict.empty() && !loose.empty()) __builtin_trap();
    std::string field_loose = mugaika::ooxml::field_problem(text, true);
    std::string field_strict = mugaika::ooxml::field_problem(text, false);
    if (field_strict.empty() && !field_loose.empty()) __builtin_trap();
    return 0;
}
