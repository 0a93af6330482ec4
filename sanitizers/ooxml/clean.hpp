// What happens inside each kept XML part: references to dropped relationships, fields, formulas,
// macro names, OLE/ActiveX elements and unsafe link actions are removed; text stays.
#pragma once

#include <libxml/tree.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "allowlist.hpp"
#include "tally.hpp"

namespace mugaika::ooxml {

struct PartScope {
    std::string part;                       // "/word/document.xml"
    std::string content_type;
    Family family;
    bool links_https = true;                // links = https (false: drop every link)
    const std::set<std::string>* kept_ids;  // relationship ids this part may still use
    Tally* tally;
};

// Runs every cleaning step that applies to the part.
void clean_part(xmlDocPtr doc, const PartScope& scope);

// Link policy: http(s) and mailto, nothing else (file:, UNC, javascript:, ...).
bool link_allowed(std::string_view target, bool links_https);

// Word field instructions ("DDEAUTO c:\\...", "HYPERLINK \"http://...\""): empty when the field may stay.
std::string field_problem(std::string_view instr, bool links_https);
// Spreadsheet formulas: DDE, external workbooks, code-running functions. Empty when it may stay.
std::string formula_problem(std::string_view formula, bool links_https);

// Steps per family (clean_word.cpp, clean_sheet.cpp, clean_slides.cpp).
void clean_word(xmlDocPtr doc, const PartScope& scope);
void clean_sheet(xmlDocPtr doc, const PartScope& scope);
void clean_slides(xmlDocPtr doc, const PartScope& scope);
// Elements in document order (a snapshot: safe to remove from while iterating backwards).
std::vector<xmlNodePtr> elements(xmlNodePtr root);

}  // namespace mugaika::ooxml
