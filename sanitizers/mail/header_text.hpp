// Reading header values: unfolding, RFC 2047 encoded words, unlabelled 8-bit bytes, and MIME
// parameters with RFC 2231 continuations. Encoded words of one charset are joined as bytes before
// they are converted, because senders split a multibyte character across two words (and GMime 3.2.13
// mis-decodes some of those); RFC 2231 sections are joined the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika::mail {

// What reading a value took; the sanitizer turns these into findings.
struct TextFlags {
    bool encoded_words = false;   // RFC 2047 words were decoded
    bool unlabelled_8bit = false; // raw 8-bit bytes without a charset label: guessed and converted
    std::string guessed_charset;  // for unlabelled_8bit (or a mislabelled word)
    bool mislabelled = false;     // a word's bytes were invalid in its charset but valid in another
    bool damaged = false;         // invalid sequences shown as U+FFFD, or an unknown charset
};

// Removes the line breaks of folding (RFC 5322 2.2.3); the whitespace after them stays.
std::string unfold(std::string_view raw);

// Decodes an unstructured value (Subject, a display name, a filename) to UTF-8. Encoded words are
// recognised even without the surrounding whitespace RFC 2047 asks for, as Japanese mailers omit it.
// Control characters become spaces, so a decoded value can never break the header it is written into.
std::string decode_text(std::string_view value, TextFlags& flags);

// Converts bytes in `charset` ("" when unlabelled) to UTF-8 the way mail needs: strict first, then a
// detected charset when the label is wrong or absent, then lenient with U+FFFD. Sets flags accordingly.
std::string to_utf8(std::string_view bytes, std::string_view charset, TextFlags& flags);

struct Param {
    std::string name;    // lower case, including any RFC 2231 '*' suffixes as written
    std::string value;   // unquoted
};

struct StructuredValue {
    std::string value;            // before the first ';', lower case, trimmed ("text/plain", "attachment")
    std::vector<Param> params;
    bool duplicates = false;      // one parameter given twice with different values
};

StructuredValue parse_structured(std::string_view unfolded);

// The value of a parameter, decoded: RFC 2231 (name*, name*0*, name*1, ...) joined then converted,
// else the plain form with encoded words and 8-bit bytes handled. nullopt when absent.
std::optional<std::string> param_text(const StructuredValue& v, std::string_view name, TextFlags& flags);
// A plain ASCII parameter (charset, boundary, smime-type), lower case unless keep_case.
std::string param_ascii(const StructuredValue& v, std::string_view name, bool keep_case = false);

}  // namespace mugaika::mail
