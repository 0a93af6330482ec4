// Delivery into the LGWAN-side Maildir (tmp/ then new/, both fsync'd), shared by the release of a
// spooled job and by an approved release from the quarantine.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika {

// The trace headers mugaika puts in front of every mail it releases: X-Mugaika-ID (the LGWAN side may
// de-duplicate on it) and X-Mugaika-Envelope-To.
std::string mugaika_trace_headers(const std::string& id, const std::vector<std::string>& recipients);

// Delivers `message` as maildir/new/<file_name> unless that file is there already (a resumed delivery).
// `file_name` must be unique per message and deterministic for its sender's retries.
std::filesystem::path deliver_to_maildir(const std::filesystem::path& maildir, const std::string& file_name,
                                         std::string_view message);

}  // namespace mugaika
