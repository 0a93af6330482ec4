#include "clamd_server.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "scan/clamd_client.hpp"

extern char** environ;

namespace mugaika::test {

std::string eicar() { return R"(X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*)"; }

namespace {
std::string hex(const std::string& s) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) out += {d[c >> 4], d[c & 15]};
    return out;
}
}  // namespace

ClamdServer::ClamdServer() {
    if (run("command -v clamd >/dev/null 2>&1 || test -x /usr/sbin/clamd").status != 0) {
        why_not = "clamd not installed (apt-get install clamav-daemon)";
        return;
    }
    write_file(dir / "db" / "mugaika-test.ndb", "Mugaika.Test.EICAR:0:*:" + hex(eicar()) + "\n");
    port_ = free_loopback_port();
    address = "127.0.0.1:" + std::to_string(port_);
    unix_address = "unix:" + (dir / "clamd.sock").string();
    write_file(dir / "clamd.conf",
               "Foreground yes\nDatabaseDirectory " + (dir / "db").string() + "\nTCPSocket " + std::to_string(port_) +
                   "\nTCPAddr 127.0.0.1\nLocalSocket " + (dir / "clamd.sock").string() + "\nLogFile " +
                   (dir / "clamd.log").string() + "\nUser root\nStreamMaxLength 8M\nMaxThreads 4\n");
    if (!start()) why_not = "clamd did not answer PING (see " + (dir / "clamd.log").string() + ")";
}

bool ClamdServer::start() {
    std::string bin = std::filesystem::exists("/usr/sbin/clamd") ? "/usr/sbin/clamd" : "clamd";
    std::string conf = (dir / "clamd.conf").string();
    const char* argv[] = {bin.c_str(), "-c", conf.c_str(), nullptr};
    if (posix_spawnp(&pid_, bin.c_str(), nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
        pid_ = -1;
        return false;
    }
    // Loading one signature takes a second or two; a broken install never answers.
    for (int i = 0; i < 600; ++i) {
        if (clamd_ping(address, std::chrono::seconds(2)) && clamd_ping(unix_address, std::chrono::seconds(2))) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    stop();
    address.clear();
    return false;
}

void ClamdServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    std::error_code ec;
    std::filesystem::remove(dir / "clamd.sock", ec);
}

ClamdServer::~ClamdServer() { stop(); }

std::string shipped_config_with(const ClamdServer& clamd) {
    std::string text = read_whole(source_dir() / "config" / "mugaika.toml");
    const std::string line = "clamd = \"unix:/run/clamav/clamd.ctl\"";
    auto at = text.find(line);
    if (at == std::string::npos) throw std::runtime_error("config/mugaika.toml has no [scan] clamd line");
    if (!clamd.address.empty()) return text.replace(at, line.size(), "clamd = \"" + clamd.address + "\"");
    auto enabled = text.find("enabled = true", text.find("[scan]"));
    return text.replace(enabled, 14, "enabled = false");
}

}  // namespace mugaika::test
