#include "mugaika/syslog_stream.hpp"
#include "mugaika/utf8_prefix.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace mugaika {
namespace {

constexpr std::size_t max_message = 16 * 1024;

}  // namespace

SyslogStream::SyslogStream(std::string ident, int facility, std::filesystem::path socket)
    : ident_(std::move(ident)), facility_(facility), fixed_socket_(std::move(socket)) {}

SyslogStream::~SyslogStream() {
    if (fd_ >= 0) ::close(fd_);
}

std::filesystem::path SyslogStream::default_socket() {
#ifdef MUGAIKA_TEST_HOOKS
    const char* hooks = std::getenv("MUGAIKA_TEST_HOOKS");
    const char* path = std::getenv("MUGAIKA_SYSLOG_SOCKET");
    if (hooks && std::string_view(hooks) == "1" && path && *path) return path;
#endif
    return _PATH_LOG;
}

bool SyslogStream::connect_locked(const std::filesystem::path& path) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    connected_.clear();
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.native().size() >= sizeof addr.sun_path) return false;
    std::memcpy(addr.sun_path, path.c_str(), path.native().size());
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return false;
    }
    fd_ = fd;
    connected_ = path;
    return true;
}

void SyslogStream::send(int severity, std::string_view message) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%b %e %T", &tm);
    std::string line = "<" + std::to_string(facility_ | (severity & LOG_PRIMASK)) + ">" + stamp + " " + ident_ + "[" +
                       std::to_string(::getpid()) + "]: ";
    line += utf8_prefix(message, max_message);

    std::lock_guard lock(mutex_);
    const std::filesystem::path path = fixed_socket_.empty() ? default_socket() : fixed_socket_;
    // Once more after a failure: syslogd may have been restarted (ECONNREFUSED, ENOTCONN) since.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if ((fd_ < 0 || connected_ != path) && !connect_locked(path)) return;
        if (::send(fd_, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) return;
        if (errno == EAGAIN || errno == ENOBUFS) return;   // a full syslog drops the line rather than block the service
        ::close(fd_);
        fd_ = -1;
    }
}

SyslogStream& operational_syslog() {
    static SyslogStream stream("mugaika", LOG_MAIL);
    return stream;
}

SyslogStream& audit_syslog() {
    static SyslogStream stream("mugaika-audit", LOG_AUTHPRIV);
    return stream;
}

}  // namespace mugaika
