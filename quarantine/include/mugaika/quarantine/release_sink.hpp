// Where an approved release goes. The quarantine does not deliver anything itself: the gateway implements
// this interface with its own release path (the section's drop folder, or the LGWAN MTA for mail), so a
// released original takes exactly the road a disarmed file takes.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace mugaika::quarantine {

// The release kinds a site's policy may allow ([quarantine] release_kinds). The quarantine only records
// and authorises them; the gateway's sink carries them out.
namespace release_kind {
inline constexpr const char* original = "original";       // the original as it is: always four-eyes
inline constexpr const char* resanitize = "resanitize";   // disarmed again with the current policy
inline constexpr const char* pixels = "pixels";           // disarmed again, PDFs as images (pixel mode)
inline constexpr const char* ppap = "ppap";               // a password-protected zip: decrypted, then disarmed
}  // namespace release_kind
const std::vector<std::string>& known_release_kinds();
bool is_known_release_kind(const std::string& kind);

struct ReleasedItem {
    std::string item_id;
    std::string kind;          // one of release_kind
    std::string name;          // the original file name (the sink makes it safe for its destination)
    std::string bytes;
    std::string section, sender;
    std::vector<std::string> recipients;
    std::string requested_by, approved_by, reason;
    std::string source;        // "share", "mail", or how the item came in otherwise (file-store, gateway)
    std::string password;      // ppap only: the password the requester entered; never logged
};

// What the release path needs to judge which kinds can succeed for an item: what was held and why.
struct ReleaseCandidate {
    struct Part {
        std::string type, reason;
    };
    std::string file_type, reason;   // the item's detected type and reason code
    std::vector<Part> held;          // a container's held parts (a mail's attachment, a zip's member)
    bool partial = false;            // only those parts were held; the rest was released already
};

// A release the sink refused for a reason people should read (e.g. the re-sanitized item is still not
// safe). The item stays release_requested; the approver sees message_ja.
struct ReleaseError : std::runtime_error {
    std::string message_ja;
    ReleaseError(std::string ja, const std::string& en) : std::runtime_error(en), message_ja(std::move(ja)) {}
};

class ReleaseSink {
public:
    virtual ~ReleaseSink() = default;
    // Delivers the item durably and returns where it went (a path or a message id, for the audit log).
    // Throws on failure; the item then stays release_requested.
    virtual std::string release(const ReleasedItem& item) = 0;
    // The kinds that can succeed for this item (the officer is offered only these; a request of another
    // kind is refused). The default, for sinks that only copy bytes: every kind.
    virtual std::vector<std::string> possible_kinds(const ReleaseCandidate& item) const;
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
