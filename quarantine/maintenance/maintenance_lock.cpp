#include "mugaika/quarantine/maintenance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace mugaika::quarantine {

MaintenanceLock::MaintenanceLock(const std::filesystem::path& store_dir, Mode mode) {
    std::filesystem::create_directories(store_dir);
    auto p = store_dir / ".maintenance.lock";
    fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open " + p.string());
    if (::flock(fd_, (mode == Mode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0) return;
    int e = errno;
    ::close(fd_);
    fd_ = -1;
    if (e != EWOULDBLOCK) throw std::system_error(e, std::generic_category(), "lock " + p.string());
    if (mode == Mode::shared)
        throw MaintenanceBusy("検疫庫は保守作業中です(鍵の更新または復元)。終わるまで待ってください "
                              "(the quarantine is under maintenance: a key rotation or a restore is running)");
    throw MaintenanceBusy("検疫庫を使用中のプロセスがあります。先に停止してください: systemctl stop mugaika "
                          "mugaika-officer-ui (the quarantine is in use by the service, the officer UI or "
                          "another command; stop them first)");
}

MaintenanceLock::~MaintenanceLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace mugaika::quarantine
