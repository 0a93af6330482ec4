// The configuration's messages in Japanese. The parsers (gateway, quarantine, the engine's policy)
// say what is wrong in English, in a small number of shapes; this catalogue gives each shape its
// Japanese, so that every refusal reaches the administrator in both languages without each throw
// site carrying two texts. Messages that already carry Japanese (addresses, first use) stay as they are.
#pragma once

#include <string>
#include <string_view>

namespace mugaika {

// "file:line: english" -> "file:line: 日本語"; empty when `message` already has Japanese in it.
// A shape the catalogue does not know gets a Japanese frame ("設定ファイルの誤りです") before the English.
std::string config_message_ja(std::string_view message);

}  // namespace mugaika
