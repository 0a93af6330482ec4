// The gateway's side of a release the officers approved in the quarantine. It carries out the release
// kind, then delivers the result the way the gateway delivers everything it releases:
//
//   original    the held bytes as they are (the review service has made sure two people agreed)
//   resanitize  disarmed again with the current policy, in an isolated worker
//   pixels      the same with PDFs rebuilt as images (pixel mode)
//   ppap        a password-protected zip, decrypted with the password the requester entered, disarmed
//
// and then: share items into their section's drop folder (atomically, never overwriting), mail to the
// LGWAN-side Maildir or MTA with the original envelope, anything else (an item without a known
// destination) into [quarantine] release_dir. A re-disarmed item that is still not safe is refused
// (ReleaseError) and stays in the quarantine.
#pragma once

#include "../config/gateway_config.hpp"
#include "mugaika/quarantine/release_sink.hpp"

namespace mugaika {

class GatewaySink : public quarantine::ReleaseSink {
public:
    explicit GatewaySink(GatewayConfig config) : config_(std::move(config)) {}
    std::string release(const quarantine::ReleasedItem& item) override;
    // Judged from what was held and why, against the current policy: disarming again cannot help a
    // dangerous name, an ambiguous zip or an encrypted file (only the PPAP password helps a zip), or a
    // type the policy still blocks or has no sanitizer for; pixel mode is for PDFs; the original always can.
    std::vector<std::string> possible_kinds(const quarantine::ReleaseCandidate& item) const override;

private:
    GatewayConfig config_;
};

}  // namespace mugaika
