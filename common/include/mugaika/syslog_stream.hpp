// One syslog stream with its own ident and facility. syslog(3)'s openlog() is process-wide: the last
// caller's ident and facility apply to every later line, so the audit log's openlog("mugaika-audit",
// LOG_AUTHPRIV) used to take over the service's log. A SyslogStream writes its lines itself to the
// local syslog socket (/dev/log, a datagram socket, as syslog(3) does) with its ident and facility
// in each line: the operational log (facility mail, ident "mugaika") and the audit log (authpriv,
// "mugaika-audit") cannot mix, whatever order they are opened in. Thread-safe; never throws; a
// missing syslog daemon drops lines (the files and stderr remain), and a restarted one is found again.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

namespace mugaika {

class SyslogStream {
public:
    // `facility`: LOG_MAIL, LOG_AUTHPRIV, ... (already shifted, as <syslog.h> defines them). `socket`
    // empty: default_socket(), looked up again at each (re)connection.
    SyslogStream(std::string ident, int facility, std::filesystem::path socket = {});
    ~SyslogStream();
    SyslogStream(const SyslogStream&) = delete;
    SyslogStream& operator=(const SyslogStream&) = delete;

    // `severity`: LOG_INFO, LOG_ERR, ... One datagram "<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE", the
    // message cut (at a UTF-8 boundary) to 16 KiB.
    void send(int severity, std::string_view message);

    const std::string& ident() const { return ident_; }
    int facility() const { return facility_; }

    // /dev/log; in builds with the tests and MUGAIKA_TEST_HOOKS=1 in the environment,
    // $MUGAIKA_SYSLOG_SOCKET when set (a test's own datagram socket: /dev/log is not the test's).
    static std::filesystem::path default_socket();

private:
    bool connect_locked(const std::filesystem::path& path);

    std::string ident_;
    int facility_;
    std::filesystem::path fixed_socket_;
    std::mutex mutex_;
    int fd_ = -1;
    std::filesystem::path connected_;
};

// The two streams of the process (function-local statics).
SyslogStream& operational_syslog();   // facility mail, ident "mugaika" (like Postfix)
SyslogStream& audit_syslog();         // facility authpriv, ident "mugaika-audit"

}  // namespace mugaika
