// Files hidden inside text bodies: what a mail client decodes out of plain text and shows as an
// attachment. uuencode (and xxencode, which shares its lines) and GNU's "begin-base64", BinHex, yEnc,
// MIME parts pasted into a text (a client that reads the boundaries differently from GMime turns them
// into attachments), and PGP armour (messages and keys a client decrypts or imports; signatures).
//
// Fail closed: the start line alone decides. A block runs from its start line to its end line, or to
// the end of the text when there is none, whatever the lines in between look like: decoders are
// lenient (trailing spaces, wrong line lengths, stray lines) and any check of the lines' validity
// that is stricter than the most lenient client is a way through.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mugaika::mail {

struct EmbeddedBlock {
    enum class Kind {
        uuencode,        // "begin 644 name" ... "end" (also xxencode)
        base64_file,     // "begin-base64 644 name" ... "===="
        binhex,          // "(This file must be converted with BinHex" then ":...:"
        yenc,            // "=ybegin ... name=x" ... "=yend"
        mime_part,       // MIME part headers (a file name, a binary type or a transfer encoding) and their body
        pgp_message,     // -----BEGIN PGP MESSAGE----- (encrypted)
        pgp_key,         // other armour a client decodes: keys, ARMORED FILE, ...
        pgp_signature,   // -----BEGIN PGP SIGNATURE-----
    };
    Kind kind;
    std::string name;         // the file name the block declares (UTF-8 as in the text), "" when none
    bool terminated = true;   // false: no end line, cut to the end of the text
    std::size_t lines = 0;    // lines cut, start and end lines included
};

// True for the kinds whose contents are a file someone could want: the original mail is held for them.
// A signature is removed by policy instead.
bool holds_original(EmbeddedBlock::Kind kind);

// Removes the blocks from `text` (each replaced by one line saying so) and returns them in order.
// `text` is UTF-8 with LF or CRLF line ends.
std::vector<EmbeddedBlock> cut_embedded_blocks(std::string& text);

}  // namespace mugaika::mail
