// The Japanese notice at the top of every safe message: that the mail was made harmless, how, and
// what happened to each attachment.
#pragma once

#include <string>
#include <vector>

namespace mugaika::mail {

struct NoticeItem {
    std::string name;      // the attachment's name as the sender gave it (UTF-8)
    std::string outcome;   // one Japanese sentence
    bool held = false;
};

struct NoticeFacts {
    bool html_converted = false;
    bool links_defanged = false;
    bool links_dropped = false;
    bool content_removed = false;   // scripts, forms, hidden text, tracking images
    std::vector<NoticeItem> items;
};

std::string notice_text(const NoticeFacts& facts);

}  // namespace mugaika::mail
