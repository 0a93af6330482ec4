// Writes the rebuilt package: a fresh zip holding exactly the kept parts, their kept relationships
// and a [Content_Types].xml that lists each of them.
#pragma once

#include <string>
#include <vector>

#include "opc.hpp"

namespace mugaika::ooxml {

struct OutPart {
    std::string zip_name;        // "word/document.xml"
    std::string content_type;
    std::string bytes;
    std::vector<Relationship> rels;   // kept relationships from this part
    bool compress = true;
};

// `package_rels` are the kept relationships of the package itself (_rels/.rels).
std::string write_package(const std::vector<Relationship>& package_rels, const std::vector<OutPart>& parts);
std::string relationships_xml(const std::vector<Relationship>& rels);

}  // namespace mugaika::ooxml
