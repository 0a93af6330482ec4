// Files hidden inside text bodies: uuencoded and BinHex blocks, PGP-armoured messages. They are cut
// out of the text (a text body must carry only text) and reported, so the sanitizer can hold them.
#pragma once

#include <string>
#include <vector>

namespace mugaika::mail {

struct EmbeddedBlock {
    enum class Kind { uuencode, binhex, pgp_message, pgp_signature };
    Kind kind;
    std::string name;   // uuencode's file name, if any
};

// Removes the blocks from `text` (each replaced by one line saying so) and returns them.
std::vector<EmbeddedBlock> cut_embedded_blocks(std::string& text);

}  // namespace mugaika::mail
