// Collects findings per (part, kind) so that a sheet with 5000 DDE formulas makes one finding with a
// count, not 5000.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "mugaika/sanitizer.hpp"

namespace mugaika::ooxml {

class Tally {
public:
    void add(const std::string& where, std::string_view kind, Action action, std::string detail, std::string_view ja);
    bool empty() const { return items_.empty(); }
    std::size_t total() const { return total_; }   // findings added so far, counts included
    void flush(Context& ctx);

private:
    struct Item {
        Action action;
        std::string detail;
        std::string ja;
        std::size_t count = 0;
    };
    std::map<std::pair<std::string, std::string>, Item> items_;
    std::size_t total_ = 0;
};

}  // namespace mugaika::ooxml
