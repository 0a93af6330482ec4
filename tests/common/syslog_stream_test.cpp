// Issue 18: the operational log (facility mail, ident "mugaika") and the audit log (authpriv,
// "mugaika-audit") reach syslog each as itself, whichever was opened first: the lines are read from a
// private datagram socket standing in for /dev/log.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <glib.h>

#include <cstdlib>
#include <regex>

#include "fixtures.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/syslog_stream.hpp"
#include "service/log.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

struct FakeSyslog {
    TempDir dir;
    std::filesystem::path path = dir / "log";
    int fd = -1;
    FakeSyslog() {
        fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        timeval tv{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
        ::setenv("MUGAIKA_SYSLOG_SOCKET", path.c_str(), 1);
    }
    ~FakeSyslog() {
        ::unsetenv("MUGAIKA_SYSLOG_SOCKET");
        ::close(fd);
    }
    std::string next() {
        char buf[65536];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }
};

// "<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE" -> facility, severity, ident, pid, message
struct Line {
    int facility = -1, severity = -1;
    std::string ident, message;
    long pid = 0;
};
// Only the header goes through the regex: std::regex matches recursively, one level per character,
// and a 16 KB message overflowed the stack of a sanitizer build.
Line parse(const std::string& s) {
    static const std::regex rfc3164(R"(<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ([^\[]{1,64})\[(\d+)\]: )");
    std::smatch m;
    Line l;
    if (!std::regex_search(s, m, rfc3164, std::regex_constants::match_continuous)) return l;
    int pri = std::stoi(m[1].str());
    l.facility = pri & LOG_FACMASK;
    l.severity = pri & LOG_PRIMASK;
    l.ident = m[2].str();
    l.pid = std::stol(m[3].str());
    l.message = m.suffix().str();
    return l;
}

}  // namespace

TEST_CASE("syslog: operational lines are mail/mugaika and audit lines authpriv/mugaika-audit, never mixed") {
    FakeSyslog sink;
    TempDir d;
    log::open_syslog(true);
    log::info("before the audit log exists");
    // The audit log opened after the operational log (the order that took the service's log over).
    quarantine::AuditLog audit(d / "audit.log", true);
    quarantine::AuditEvent ev;
    ev.actor = "kanri";
    ev.action = "login";
    audit.append(ev);
    log::warn("after the audit log, with a\nnewline");
    quarantine::AuditLog second(d / "audit2.log", true);   // a second audit log changes nothing either
    log::error("last");
    log::open_syslog(false);

    Line a = parse(sink.next()), b = parse(sink.next()), c = parse(sink.next()), e = parse(sink.next());
    CHECK(a.facility == LOG_MAIL);
    CHECK(a.severity == LOG_INFO);
    CHECK(a.ident == "mugaika");
    CHECK(a.pid == ::getpid());
    CHECK(a.message == "info: before the audit log exists");
    CHECK(b.facility == LOG_AUTHPRIV);
    CHECK(b.severity == LOG_INFO);
    CHECK(b.ident == "mugaika-audit");
    CHECK(b.message.find("\"login\"") != std::string::npos);
    CHECK(b.message.find("sha256=") != std::string::npos);
    CHECK(c.facility == LOG_MAIL);
    CHECK(c.severity == LOG_WARNING);
    CHECK(c.ident == "mugaika");
    CHECK(c.message == "warning: after the audit log, with a\\nnewline");   // one line, escaped
    CHECK(e.facility == LOG_MAIL);
    CHECK(e.severity == LOG_ERR);
    CHECK(e.ident == "mugaika");
}

TEST_CASE("syslog: library noise (GLib, libgsf CRITICAL) becomes a debug line of ours, not stderr") {
    FakeSyslog sink;
    log::open_syslog(true);
    log::route_library_messages();
    g_log("libgsf", G_LOG_LEVEL_CRITICAL, "gsf_infile_num_children: assertion 'GSF_IS_INFILE (infile)' failed");
    log::open_syslog(false);
    Line l = parse(sink.next());
    CHECK(l.facility == LOG_MAIL);
    CHECK(l.severity == LOG_DEBUG);
    CHECK(l.ident == "mugaika");
    CHECK(l.message == "debug: library libgsf CRITICAL: gsf_infile_num_children: assertion 'GSF_IS_INFILE (infile)' failed");
}

TEST_CASE("syslog: no syslog daemon drops the line, a long line is cut at a UTF-8 boundary") {
    {
        SyslogStream nowhere("mugaika", LOG_MAIL, "/nonexistent/dev-log");
        nowhere.send(LOG_INFO, "dropped");   // neither throws nor blocks
    }
    FakeSyslog sink;
    SyslogStream s("mugaika-audit", LOG_AUTHPRIV, sink.path);
    std::string long_line(16 * 1024 - 1, 'a');
    long_line += "あいう";
    s.send(LOG_NOTICE, long_line);
    Line l = parse(sink.next());
    CHECK(l.severity == LOG_NOTICE);
    CHECK(l.message.size() == 16 * 1024 - 1);   // the three-byte character would not fit whole
}
