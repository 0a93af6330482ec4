#include "zygote_loop.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "sandbox/spawn.hpp"
#include "worker_exit.hpp"
#include "zygote_protocol.hpp"

namespace mugaika::worker {

void run_zygote(int control, sandbox::Isolation isolation) {
    std::string why;
    if (!sandbox::fork_confined_possible(why)) {
        (void)zygote::send_message(control, std::string(zygote::refused_prefix) + why);
        ::_exit(exit_refused);
    }
    if (!zygote::send_message(control, zygote::ready)) ::_exit(exit_channel);
    for (;;) {
        auto request = zygote::receive_message(control, 16);
        if (!request) ::_exit(errno == 0 ? exit_ok : exit_channel);   // the service closed us: done
        if (request->bytes.size() != 1 || request->bytes[0] != zygote::fork_request || request->fd < 0) {
            if (request->fd >= 0) ::close(request->fd);
            ::_exit(exit_channel);   // only the service speaks here, and it never says this
        }
        zygote::ForkReply reply;
        sandbox::Spawned child;
        try {
            child = sandbox::fork_confined(request->fd, isolation);
        } catch (const std::system_error& e) {
            reply.error = e.code().value() ? e.code().value() : EIO;
        }
        if (reply.error == 0 && child.pid == 0) return;   // the worker: on with its own confinement
        ::close(request->fd);
        reply.pid = child.pid;
        bool sent = zygote::send_message(control, {reinterpret_cast<const char*>(&reply), sizeof reply},
                                         reply.error == 0 ? child.pidfd : -1);
        if (child.pidfd >= 0) ::close(child.pidfd);
        if (!sent) {
            if (child.pid > 0) ::kill(child.pid, SIGKILL);   // nobody will ever talk to it
            ::_exit(exit_channel);
        }
    }
}

}  // namespace mugaika::worker
