// What happens inside each kept XML part: markup compatibility is resolved to one branch, then
// references to dropped relationships, fields, formulas, macro names, OLE/ActiveX elements and unsafe
// link actions are removed; text stays.
#pragma once

#include <libxml/tree.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "allowlist.hpp"
#include "field.hpp"
#include "tally.hpp"

namespace mugaika::ooxml {

// The relationships of one part as the writer will write them, and what the input declared.
struct KeptRels {
    std::set<std::string> internal;   // kept parts and in-document anchors
    std::set<std::string> external;   // kept external hyperlinks (http(s), mailto)
    std::set<std::string> input;      // every id of the input's relationship part
    bool contains(const std::string& id) const { return internal.contains(id) || external.contains(id); }
};

struct PartScope {
    std::string part;                       // "/word/document.xml"
    std::string content_type;
    Family family;
    bool links_https = true;                // links = https (false: drop every link)
    const KeptRels* rels;                   // relationship ids this part may still use
    Tally* tally;
    const Context* ctx = nullptr;           // for the time budget (nullptr: unbounded, tests)
};

// Checks the time budget every few thousand steps of a loop over input-controlled counts.
inline void tick(const PartScope& s, std::size_t step) {
    if (s.ctx && (step & 4095) == 4095) s.ctx->check_time();
}

// Runs every cleaning step that applies to the part.
void clean_part(xmlDocPtr doc, const PartScope& scope);

// Link policy: http(s) and mailto, nothing else (file:, UNC, javascript:, ...).
bool link_allowed(std::string_view target, bool links_https);


// Steps (markup_compat.cpp, clean_word.cpp, clean_sheet.cpp, clean_slides.cpp, clean_formulas.cpp,
// clean_properties.cpp). resolve_markup_compatibility returns how many mc:AlternateContent it resolved.
std::size_t resolve_markup_compatibility(xmlDocPtr doc, const PartScope& scope);
void clean_word(xmlDocPtr doc, const PartScope& scope);
void clean_sheet(xmlDocPtr doc, const PartScope& scope);
void clean_slides(xmlDocPtr doc, const PartScope& scope);
void clean_formulas(xmlDocPtr doc, const PartScope& scope);
void clean_properties(xmlDocPtr doc, const PartScope& scope);
// Elements in document order (a snapshot: safe to remove from while iterating backwards).
std::vector<xmlNodePtr> elements(xmlNodePtr root);
// True while `n` is still in the tree under `root` (not inside a subtree already unlinked). Bounded by
// libxml2's depth limit (256 without XML_PARSE_HUGE).
bool attached(xmlNodePtr n, xmlNodePtr root);

}  // namespace mugaika::ooxml
