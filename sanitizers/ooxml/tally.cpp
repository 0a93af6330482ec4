#include "tally.hpp"
#include "mugaika/utf8_prefix.hpp"

namespace mugaika::ooxml {

void Tally::add(const std::string& where, std::string_view kind, Action action, std::string detail,
                std::string_view ja) {
    auto& item = items_[{where, std::string(kind)}];
    if (item.count == 0) {
        item.action = action;
        item.ja = std::string(ja);
    }
    if (item.count < 5) item.detail += (item.detail.empty() ? "" : "; ") + std::string(utf8_prefix(detail, 300));
    ++item.count;
    ++total_;
}

void Tally::flush(Context& ctx) {
    for (auto& [key, item] : items_) {
        std::string detail = item.detail;
        if (item.count > 1) detail = std::to_string(item.count) + " times: " + detail + (item.count > 5 ? "; ..." : "");
        ctx.add(key.second, item.action, detail, item.ja, key.first);
    }
    items_.clear();
}

}  // namespace mugaika::ooxml
