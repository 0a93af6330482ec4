// The Open Packaging Conventions part of OOXML: part names, content types and relationships.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika::ooxml {

struct Relationship {
    std::string id;
    std::string type;
    std::string target;      // as written
    bool external = false;
    bool anchor = false;     // internal target "#name": a jump inside the document, no part
    std::string part;        // resolved part name ("/word/media/image1.png") when internal
};

// Content types from [Content_Types].xml: Overrides by part name, Defaults by extension, both
// compared case-insensitively as OPC requires.
class ContentTypes {
public:
    static ContentTypes parse(std::string_view xml);
    std::string of(const std::string& part) const;   // "" when the package does not say

private:
    std::map<std::string, std::string> overrides_, defaults_;
};

std::vector<Relationship> parse_relationships(std::string_view xml, const std::string& source_part);

// "/word/document.xml" -> "/word/_rels/document.xml.rels"; "/" (the package) -> "/_rels/.rels".
std::string rels_part_for(const std::string& part);
// Resolves a relative target against the source part; "" when it escapes the package root or is not
// a plain path (query, fragment, scheme).
std::string resolve_target(const std::string& source_part, std::string_view target);
std::string lower(std::string_view s);
std::string percent_decode(std::string_view s);

// True for names only the package writer may write: relationship parts (any "_rels" folder, any name
// ending ".rels") and [Content_Types].xml, in any case, raw or percent-encoded. No input part under
// such a name is ever kept, whatever content type the package declares for it.
bool is_writer_owned(std::string_view part_or_zip_name);
// A zip entry name as an absolute relationship target: "/word/media/image1.png", non-ASCII bytes and
// characters a URI may not hold percent-encoded (what a reader decodes back to the same entry).
std::string target_for_entry(std::string_view zip_name);

}  // namespace mugaika::ooxml
