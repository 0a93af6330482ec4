// Where an approved release goes. The quarantine does not deliver anything itself: the gateway implements
// this interface with its own release path (the section's drop folder, or the LGWAN MTA for mail), so a
// released original takes exactly the road a disarmed file takes.
#pragma once

#include <string>
#include <vector>

namespace mugaika::quarantine {

struct ReleasedItem {
    std::string item_id;
    std::string kind;          // the release kind, e.g. "original"
    std::string name;          // the original file name (the sink makes it safe for its destination)
    std::string bytes;
    std::string section, sender;
    std::vector<std::string> recipients;
    std::string requested_by, approved_by, reason;
};

class ReleaseSink {
public:
    virtual ~ReleaseSink() = default;
    // Delivers the item durably and returns where it went (a path or a message id, for the audit log).
    // Throws on failure; the item then stays release_requested.
    virtual std::string release(const ReleasedItem& item) = 0;
};

// A sink that writes into one folder with write_new_file (atomic, never overwriting): for sites that
// run the officer UI without the service, and for tests. The gateway provides its own for production.
class DropFolderSink : public ReleaseSink {
public:
    explicit DropFolderSink(std::string dir) : dir_(std::move(dir)) {}
    std::string release(const ReleasedItem& item) override;

private:
    std::string dir_;
};

// The name a released file gets: the base name only, no path, no control characters, no leading dots.
std::string safe_release_name(const std::string& name, const std::string& fallback);

}  // namespace mugaika::quarantine
