// The one walk over a message's MIME tree. Every leaf (every part that is not a multipart; a nested
// message/rfc822 is one leaf, its own parts are its own sanitizer's business) ends in exactly one
// place, written in the ledger:
//   text      its text is part of the safe body
//   released  it went through the engine and its clean outputs are attached
//   held      it was not released: the engine quarantined it, or we hold it ourselves (TNEF, S/MIME,
//             encrypted, fragments); a HeldItem keeps the original mail in quarantine
//   removed   a stated policy drops it, with a finding: the alternatives not used (the HTML version of a
//             text body), inline images of an HTML body, signatures, external-body references,
//             attachments under `attachments = "remove"`
// Files hidden in the text of a leaf (uuencode, BinHex, yEnc, pasted MIME parts, PGP armour) are cut
// out and written in the ledger too, each held or removed. The walk checks at the end that the ledger
// holds every leaf once, and fails closed when it does not.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "header_text.hpp"
#include "html_text.hpp"
#include "message_writer.hpp"
#include "mime_tree.hpp"
#include "mugaika/sanitizer.hpp"
#include "notice.hpp"

namespace mugaika::mail {

enum class Fate { text, released, held, removed };
std::string_view to_string(Fate f);

struct LedgerEntry {
    std::string part;    // MIME part number as IMAP counts them ("1", "2.1"); "2.1/uuencode[1]" for a cut block
    std::string type;    // "text/plain", or the kind of a cut block ("uuencode")
    std::string name;    // file name, when there is one
    Fate fate = Fate::held;
    std::string how;     // "body", "attachment[2]", "alternative", "inline image", "signature", ...
};

struct Ledger {
    std::vector<LedgerEntry> leaves;     // one per MIME leaf, in tree order
    std::vector<LedgerEntry> embedded;   // blocks cut out of text
    std::size_t count(Fate f) const;     // leaves and blocks together
    // "7 parts: 2 text, 1 released, 2 held, 2 removed" (+ ", 1 embedded file" when blocks were cut).
    std::string summary() const;
};

struct WalkOptions {
    LinkMode links = LinkMode::defang;
    bool sanitize_attachments = true;
};

struct WalkResult {
    std::vector<std::string> bodies;        // body texts in order, blocks already cut
    std::vector<SafeAttachment> attachments;
    NoticeFacts facts;
    HtmlText html_totals;
    std::size_t html_parts = 0, text_parts = 0, inline_removed = 0, alternatives_removed = 0;
    Ledger ledger;
};

// Walks the tree, running attachments through ctx.sanitize_child. Throws SanitizeError(internal)
// when the ledger does not account for every leaf exactly once.
WalkResult walk_mime(const MimeNode& root, Context& ctx, const WalkOptions& options);

// Findings for how a piece of text was read (unlabelled, mislabelled, damaged: U+FFFD).
void note_text_flags(Context& ctx, const TextFlags& flags, const std::string& where, const std::string& what);

// Leaves of the tree as the ledger counts them (message/rfc822 is one leaf).
std::size_t count_leaves(const MimeNode& root);

}  // namespace mugaika::mail
