// Which names in a watched share the gateway leaves alone: editor and transfer temp files, and hidden
// names (including its own claim folders).
#pragma once

#include <string_view>

namespace mugaika {

// ~$budget.xlsx (Office owner file), *.tmp, *.part, *.crdownload, .~lock.*# (LibreOffice), any
// dotfile, Thumbs.db / desktop.ini.
bool ignored_share_name(std::string_view name);

}  // namespace mugaika
