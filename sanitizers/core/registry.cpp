#include "mugaika/registry.hpp"

#include <stdexcept>

namespace mugaika {

void Registry::add(std::shared_ptr<const Sanitizer> sanitizer) {
    std::string name(sanitizer->name());
    if (by_name_.contains(name)) throw std::logic_error("sanitizer registered twice: " + name);
    for (const auto& type : sanitizer->types()) {
        if (!find_file_type(type)) throw std::logic_error("sanitizer " + name + " names unknown type " + type);
        auto key = std::make_pair(type, sanitizer->action());
        if (by_type_.contains(key))
            throw std::logic_error("two sanitizers for type " + type + ": " + name + " and " +
                                   std::string(by_type_.at(key)->name()));
        by_type_.emplace(key, sanitizer);
    }
    by_name_.emplace(name, std::move(sanitizer));
}

const Sanitizer* Registry::find(std::string_view type_id, TypeAction action) const {
    auto it = by_type_.find(std::make_pair(std::string(type_id), action));
    return it == by_type_.end() ? nullptr : it->second.get();
}

const Sanitizer* Registry::by_name(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second.get();
}

std::vector<const Sanitizer*> Registry::all() const {
    std::vector<const Sanitizer*> out;
    for (const auto& [_, s] : by_name_) out.push_back(s.get());
    return out;
}

}  // namespace mugaika
