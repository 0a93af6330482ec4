// Sanitizers keyed by (type id, action), in the manner of Envoy's named filters.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

class Registry {
public:
    // Registers a sanitizer for every type it declares. A second sanitizer for the same type and
    // action is a programming error (std::logic_error).
    void add(std::shared_ptr<const Sanitizer> sanitizer);

    const Sanitizer* find(std::string_view type_id, TypeAction action) const;
    const Sanitizer* by_name(std::string_view name) const;
    std::vector<const Sanitizer*> all() const;

private:
    std::map<std::pair<std::string, TypeAction>, std::shared_ptr<const Sanitizer>, std::less<>> by_type_;
    std::map<std::string, std::shared_ptr<const Sanitizer>, std::less<>> by_name_;
};

// A registry holding every sanitizer built into this binary.
Registry builtin_registry();

}  // namespace mugaika
