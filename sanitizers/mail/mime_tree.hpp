// The MIME structure of a message as GMime sees it, copied into plain values: raw header values and
// raw (still transfer-encoded) bodies. GMime decides the structure only; every decoding of headers and
// bodies is ours (see transfer_decode.hpp, header_text.hpp). GMime's parser warnings are kept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika::mail {

struct RawHeader {
    std::string name;    // as written
    std::string value;   // raw, still folded and encoded
};

struct MimeNode {
    enum class Kind { leaf, multipart, message };
    Kind kind = Kind::leaf;
    std::string type = "text";       // lower case, from GMime's Content-Type parse
    std::string subtype = "plain";
    std::vector<RawHeader> headers;  // this entity's own headers
    std::string body;                // leaf: the raw body; message: the nested message's bytes
    std::vector<MimeNode> children;  // multipart
    std::string prologue, epilogue;  // multipart: raw text before the first and after the last boundary
    int depth = 0;
};

struct ParserWarning {
    std::int64_t offset = -1;
    int code = 0;          // GMimeParserWarning
    std::string item;
};

struct ParsedMail {
    std::vector<RawHeader> headers;  // the top-level header block
    MimeNode root;
    std::vector<ParserWarning> warnings;
    std::size_t parts = 0;
};

struct TreeLimits {
    int max_depth = 20;
    std::size_t max_parts = 1000;
    std::size_t max_headers = 1000;      // per header block
    std::size_t max_header_bytes = 65536;  // per header value
};

// Parses with GMime. Throws SanitizeError: malformed when GMime finds no message, limit.* on a breach.
ParsedMail parse_mail(std::string_view bytes, const TreeLimits& limits);

// The first header of that name (case-insensitive), or nullptr; and how many there are.
const RawHeader* find_header(const std::vector<RawHeader>& headers, std::string_view name);
std::size_t count_headers(const std::vector<RawHeader>& headers, std::string_view name);

// Words for a GMime parser warning: kind suffix (English) and the Japanese sentence.
struct WarningText {
    std::string kind;
    std::string ja;
    bool critical = false;
};
WarningText describe_warning(int code);

}  // namespace mugaika::mail
