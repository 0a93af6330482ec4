// What the legacy scan found before conversion, counted per kind so that 5000 DDE cells make one
// finding. Everything tallied here is a class of content that cannot survive the path the document
// takes (LibreOffice with macros off, then the OOXML or PDF rebuild), so each is reported as removed.
#pragma once

#include <map>
#include <string>

#include "mugaika/sanitizer.hpp"

namespace mugaika::legacy {

class Tally {
public:
    // `what` is an example for the detail ("storage Macros", "field DDEAUTO").
    void add(const std::string& kind, const std::string& what = {}, std::size_t n = 1);
    std::size_t count(const std::string& kind) const;
    // One finding per kind, in a stable order, with its Japanese sentence.
    void report(Context& ctx) const;

private:
    struct Entry {
        std::size_t count = 0;
        std::string example;
    };
    std::map<std::string, Entry> entries_;
};

}  // namespace mugaika::legacy
