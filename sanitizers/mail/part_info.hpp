// What a MIME entity says about itself (type, charset, file name, disposition, Content-ID), read from
// its raw headers with our own decoders, and its body decoded from the transfer encoding.
#pragma once

#include <string>

#include "header_text.hpp"
#include "mime_tree.hpp"
#include "transfer_decode.hpp"

namespace mugaika::mail {

struct PartInfo {
    std::string type, subtype;   // from GMime's structure (lower case)
    std::string charset;         // as labelled, "" when none
    std::string disposition;     // "inline", "attachment" or ""
    std::string filename;        // UTF-8, "" when none
    std::string content_id;      // without <>
    std::string encoding;        // transfer encoding, lower case ("7bit" when absent)
    std::string smime_type;      // application/pkcs7-mime
    std::string start;           // multipart/related start parameter (a Content-ID with <>)
    std::string protocol;        // multipart/signed and /encrypted
    TextFlags name_flags;        // how the file name was read
    bool conflicting_params = false;
    bool conflicting_encoding = false;
};

PartInfo part_info(const MimeNode& node);

// The body without its transfer encoding. Unknown encodings are passed through (counted in stats).
struct DecodedBody {
    std::string bytes;
    DecodeStats stats;
    bool unknown_encoding = false;
};
DecodedBody decode_body(const MimeNode& node, const PartInfo& info);

}  // namespace mugaika::mail
