#include "line_reader.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace mugaika::lmtp {

LineReader::Status LineReader::fill() {
    if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    char tmp[16384];
    while (true) {
        ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
        if (n > 0) {
            buf_.append(tmp, static_cast<std::size_t>(n));
            return Status::ok;
        }
        if (n == 0) return Status::eof;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::timeout;
        return Status::error;
    }
}

LineReader::Status LineReader::read_line(std::string& line, std::size_t max) {
    while (true) {
        auto nl = buf_.find('\n', pos_);
        if (nl != std::string::npos && nl - pos_ + 1 <= max) {
            std::size_t end = nl;
            if (end > pos_ && buf_[end - 1] == '\r') --end;
            line.assign(buf_, pos_, end - pos_);
            pos_ = nl + 1;
            return Status::ok;
        }
        if ((nl != std::string::npos) || buf_.size() - pos_ >= max) return Status::too_long;
        Status s = fill();
        if (s != Status::ok) return s;
    }
}

bool LineReader::skip_line(std::size_t max, std::size_t& skipped) {
    while (true) {
        auto nl = buf_.find('\n', pos_);
        std::size_t avail = (nl == std::string::npos ? buf_.size() : nl + 1) - pos_;
        if (skipped + avail > max) {
            pos_ = buf_.size();
            return false;
        }
        skipped += avail;
        pos_ += avail;
        if (nl != std::string::npos) return true;
        if (fill() != Status::ok) return false;
    }
}

}  // namespace mugaika::lmtp
