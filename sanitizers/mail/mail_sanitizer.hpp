#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// Internet mail to a safe text mail (method ア): allowlisted headers re-encoded, one text/plain body
// (HTML converted to text, links defanged) with a Japanese notice on top, and only the attachments
// that come out of the engine clean. See docs/mail.md.
std::shared_ptr<const Sanitizer> make_mail_sanitizer();

}  // namespace mugaika
