#include "maildir.hpp"

#include <system_error>

#include "../spool/durable.hpp"
#include "mugaika/test_points.hpp"

namespace mugaika {
namespace fs = std::filesystem;

std::string mugaika_trace_headers(const std::string& id, const std::vector<std::string>& recipients) {
    std::string head = "X-Mugaika-ID: " + id + "\n";
    if (!recipients.empty()) {
        head += "X-Mugaika-Envelope-To: ";
        for (std::size_t r = 0; r < recipients.size(); ++r) head += (r ? ", " : "") + recipients[r];
        head += "\n";
    }
    return head;
}

fs::path deliver_to_maildir(const fs::path& maildir, const std::string& file_name, std::string_view message) {
    for (const char* sub : {"tmp", "new", "cur"}) fs::create_directories(maildir / sub);
    fs::path final_path = maildir / "new" / file_name;
    std::error_code ec;
    if (fs::exists(final_path, ec)) return final_path;
    fs::path temp = maildir / "tmp" / file_name;
    fs::remove(temp, ec);
    durable::write(temp, message);
    test_points::crash_point("release.maildir.tmp");
    durable::rename(temp, final_path);
    test_points::crash_point("release.maildir.new");
    return final_path;
}

}  // namespace mugaika
