#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// Plain zip archives to a new zip holding only the members that came out of the engine clean, under
// safe relative paths. Encrypted members (PPAP) are opened only with passwords a person supplied for
// the item (Context::secrets()); the rebuilt zip is never encrypted. See docs/archive.md.
std::shared_ptr<const Sanitizer> make_archive_sanitizer();

}  // namespace mugaika
