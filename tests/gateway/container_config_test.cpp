// The container: docker/container-config.sh turns the packaged configuration into the container's, and
// its addresses must be those of compose.yaml and of the Postfix container's content_filter. Docker is not
// needed (nor available in CI): the files are checked against each other.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "config/gateway_config.hpp"
#include "fixtures.hpp"

namespace fs = std::filesystem;
using mugaika::test::read_whole;
using mugaika::test::shell_quote;
using mugaika::test::source_dir;

namespace {

// A service's block in compose.yaml, up to the next service (or the next top-level key).
std::string block_of(const std::string& compose, const std::string& service) {
    auto at = compose.find("\n  " + service + ":\n");
    REQUIRE_MESSAGE(at != std::string::npos, service);
    auto end = compose.find("\n  ", at + service.size() + 4);
    while (end != std::string::npos && compose[end + 3] == ' ') end = compose.find("\n  ", end + 1);
    std::string block = compose.substr(at, end == std::string::npos ? std::string::npos : end - at);
    auto top = block.find("\n\n");   // a blank line, then a top-level key such as networks:
    return top == std::string::npos ? block : block.substr(0, top);
}

// The ipv4_address of a service in compose.yaml.
std::string address_of(const std::string& compose, const std::string& service) {
    std::smatch m;
    std::string block = block_of(compose, service);
    REQUIRE_MESSAGE(std::regex_search(block, m, std::regex("ipv4_address: ([0-9.]+)")), service);
    return m[1].str();
}

}  // namespace

TEST_CASE("container: the image's configuration, compose.yaml and the Postfix container agree") {
    mugaika::test::TempDir t;
    fs::path conf = t.path / "mugaika.toml";
    fs::copy_file(MUGAIKA_FHS_CONFIG, conf);
    auto r = mugaika::test::run("sh " + shell_quote((source_dir() / "docker" / "container-config.sh").string()) + " " +
                                shell_quote(conf.string()) + " 2>&1");
    REQUIRE_MESSAGE(r.status == 0, r.out);
    auto c = mugaika::load_config(conf, mugaika::builtin_registry());
    std::string compose = read_whole(source_dir() / "compose.yaml");
    std::string postfix = read_whole(source_dir() / "docker" / "postfix" / "Dockerfile");
    std::string dockerfile = read_whole(source_dir() / "Dockerfile");

    // LMTP listens on the container's network and takes mail only from the Postfix container...
    CHECK(c.lmtp.listen == "0.0.0.0:10025");
    CHECK(c.lmtp.clients == std::vector<std::string>{address_of(compose, "postfix")});
    // ...which hands every mail to the gateway container's LMTP port.
    CHECK(postfix.find("content_filter = mugaika:inet:[" + address_of(compose, "gateway") + "]:10025") != std::string::npos);
    CHECK(postfix.find("mugaika/unix=mugaika unix - - n - 2 lmtp") != std::string::npos);
    // Scanning is on, at the clamd container.
    CHECK(c.scan.enabled);
    CHECK(c.scan.clamd == address_of(compose, "clamd") + ":3310");
    // The officer UI off loopback needs TLS: the certificate is mounted where the configuration says.
    CHECK(c.review.ui_host == "0.0.0.0");
    CHECK(c.review.tls_cert == "/etc/mugaika/tls/officer.crt");
    CHECK(compose.find("./tls:/etc/mugaika/tls:ro") != std::string::npos);
    // Monitoring stays on loopback inside the container, where the HEALTHCHECK asks.
    CHECK(c.http.listen == "127.0.0.1:9925");
    CHECK(dockerfile.find("/dev/tcp/127.0.0.1/9925") != std::string::npos);
    // Every folder of the configuration lies in a VOLUME of the image, and compose.yaml mounts each.
    std::smatch m;
    REQUIRE(std::regex_search(dockerfile, m, std::regex("VOLUME \\[([^\\]]*)\\]")));
    std::set<std::string> volumes;
    std::string list = m[1].str();
    std::regex quoted("\"([^\"]+)\"");
    for (std::sregex_iterator it(list.begin(), list.end(), quoted), end; it != end; ++it)
        volumes.insert((*it)[1].str());
    for (const fs::path& p : {c.out_dir, c.share.inbound, c.release.maildir, c.reports_dir, c.review.store_dir,
                              c.review.key_file, c.spool.dir, c.review.audit_file, c.quarantine_dir}) {
        bool inside = false;
        for (const auto& v : volumes) inside |= p.string().rfind(v + "/", 0) == 0 || p.string() == v;
        CHECK_MESSAGE(inside, (p.string() + " is in no VOLUME"));
    }
    for (const auto& v : volumes) CHECK_MESSAGE(compose.find(":" + v + "\n") != std::string::npos, v);
    // The image is the Debian package (mugaika and mugaika-worker side by side, tests/package/), and the
    // containers that disarm (the gateway; the officer UI for re-disarmed releases) may create the
    // workers' namespaces: Docker's default seccomp profile refuses them.
    CHECK(dockerfile.find("cpack -G DEB") != std::string::npos);
    CHECK(dockerfile.find("apt-get install -y --no-install-recommends /tmp/package/mugaika_") != std::string::npos);
    for (std::string service : {"gateway", "officer-ui"})
        CHECK_MESSAGE(block_of(compose, service).find("- seccomp:unconfined") != std::string::npos, service);
    CHECK(block_of(compose, "postfix").find("seccomp") == std::string::npos);
    // Non-root, and the .dockerignore keeps build trees and a run's state (keys!) out of the context.
    CHECK(dockerfile.find("\nUSER mugaika\n") != std::string::npos);
    std::string ignore = read_whole(source_dir() / ".dockerignore");
    for (std::string pattern : {"build*/", "var/", "**/*.key"}) CHECK(ignore.find(pattern + "\n") != std::string::npos);
}
