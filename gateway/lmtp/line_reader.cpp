#include "line_reader.hpp"

#include <algorithm>

namespace mugaika::lmtp {
namespace {

// Any <CR> inside a line (its final <CR><LF> excluded) is a bare one.
void note_bare_cr(const std::string& s, std::size_t from, std::size_t to, LineReader::Ending* e) {
    if (e && s.find('\r', from) < to) e->bare_cr = true;
}

}  // namespace

LineReader::Status LineReader::fill() {
    if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    // A far deadline (no deadline set) must not overflow the arithmetic below.
    net::Clock::time_point deadline = deadline_;
    char tmp[16384];
    std::size_t got = 0;
    net::IoStatus s = net::recv_some(fd_, tmp, sizeof tmp, got, deadline, stop_fd_);
    switch (s) {
        case net::IoStatus::ok: break;
        case net::IoStatus::closed: return Status::eof;
        case net::IoStatus::timeout: return Status::timeout;
        case net::IoStatus::stopped: return Status::stopped;
        case net::IoStatus::error: return Status::error;
    }
    buf_.append(tmp, got);
    if (min_rate_ > 0 && deadline_ != net::Clock::time_point::max()) {
        auto credit = std::chrono::microseconds(static_cast<std::int64_t>(got * 1'000'000 / min_rate_));
        deadline_ = std::min(deadline_ + credit, net::Clock::now() + rate_cap_);
    }
    return Status::ok;
}

LineReader::Status LineReader::read_line(std::string& line, std::size_t max, Ending* ending) {
    while (true) {
        auto nl = buf_.find('\n', pos_);
        if (nl != std::string::npos && nl - pos_ + 1 <= max) {
            std::size_t end = nl;
            bool crlf = end > pos_ && buf_[end - 1] == '\r';
            if (crlf) --end;
            if (ending) {
                *ending = Ending{};
                ending->crlf = crlf;
                ending->bare_lf = !crlf;
                note_bare_cr(buf_, pos_, end, ending);
            }
            line.assign(buf_, pos_, end - pos_);
            pos_ = nl + 1;
            return Status::ok;
        }
        if ((nl != std::string::npos) || buf_.size() - pos_ >= max) return Status::too_long;
        Status s = fill();
        if (s != Status::ok) return s;
    }
}

bool LineReader::skip_line(std::size_t max, std::size_t& skipped, Ending* ending) {
    bool last_cr = false;   // the last byte skipped was <CR> (it may pair with an <LF> in the next chunk)
    while (true) {
        auto nl = buf_.find('\n', pos_);
        std::size_t end = nl == std::string::npos ? buf_.size() : nl + 1;
        std::size_t avail = end - pos_;
        if (skipped + avail > max) {
            pos_ = buf_.size();
            return false;
        }
        if (ending) {
            for (std::size_t i = pos_; i < end; ++i) {
                char c = buf_[i];
                if (c == '\n') {
                    ending->crlf = last_cr;
                    ending->bare_lf = !last_cr;
                } else if (last_cr) {
                    ending->bare_cr = true;
                }
                last_cr = c == '\r';
            }
        }
        skipped += avail;
        pos_ += avail;
        if (nl != std::string::npos) return true;
        if (fill() != Status::ok) return false;
    }
}

}  // namespace mugaika::lmtp
