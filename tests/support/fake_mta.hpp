// A scripted SMTP next hop on 127.0.0.1 for the release tests: answers RCPT with a given reply and
// keeps what it received.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.hpp"

namespace mugaika::test {

// A scripted next hop on 127.0.0.1: answers RCPT with `rcpt_reply` and keeps what it received.
class FakeMta {
public:
    explicit FakeMta(std::string rcpt_reply) : rcpt_reply_(std::move(rcpt_reply)) {
        fd_ = listen_loopback(port_);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeMta() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    std::vector<std::string> messages;   // raw DATA, as on the wire
    std::atomic<int> sessions{0};
    std::function<void()> on_quit;       // runs when a client says QUIT (before the reply)

private:
    void serve() {
        while (!stop_) {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            ++sessions;
            std::string buf;
            auto say = [&](const std::string& s) { (void)!::send(c, (s + "\r\n").data(), s.size() + 2, MSG_NOSIGNAL); };
            auto line = [&](std::string& out) {
                while (true) {
                    auto p = buf.find("\r\n");
                    if (p != std::string::npos) { out = buf.substr(0, p); buf.erase(0, p + 2); return true; }
                    char tmp[4096];
                    ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
                    if (n <= 0) return false;
                    buf.append(tmp, static_cast<std::size_t>(n));
                }
            };
            say("220 fake ESMTP");
            std::string l;
            while (line(l)) {
                if (l.starts_with("EHLO")) { say("250-fake"); say("250 8BITMIME"); }
                else if (l.starts_with("MAIL")) say("250 ok");
                else if (l.starts_with("RCPT")) say(rcpt_reply_);
                else if (l == "DATA") {
                    say("354 go");
                    std::string data;
                    while (line(l) && l != ".") data += l + "\r\n";
                    messages.push_back(data);
                    say("250 2.0.0 queued");
                } else if (l == "QUIT") {
                    if (on_quit) on_quit();
                    say("221 bye");
                    break;
                }
                else say("250 ok");
            }
            ::close(c);
        }
    }
    std::string rcpt_reply_;
    int fd_ = -1;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
};

}  // namespace mugaika::test
