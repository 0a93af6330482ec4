#include "run_tool.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace mugaika::quarantine {

ToolResult run_tool(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env) {
    ToolResult r;
    int err[2];
    if (argv.empty() || ::pipe2(err, O_CLOEXEC) != 0) return r;
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(err[0]);
        ::close(err[1]);
        return r;
    }
    if (pid == 0) {
        ::dup2(err[1], 2);
        int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, 0);
        for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        ::execvp(args[0], args.data());
        std::string msg = "cannot run " + argv[0] + ": " + std::strerror(errno) + "\n";
        [[maybe_unused]] auto w = ::write(2, msg.data(), msg.size());
        ::_exit(127);
    }
    ::close(err[1]);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err[0], buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (r.errors.size() < 65536) r.errors.append(buf, static_cast<std::size_t>(n));
    }
    ::close(err[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::pair<std::string, std::string> split_password(const std::string& conninfo) {
    std::string rest, password;
    std::size_t i = 0;
    while (i < conninfo.size()) {
        std::size_t end = conninfo.find(' ', i);
        std::string word = conninfo.substr(i, end == std::string::npos ? std::string::npos : end - i);
        if (word.rfind("password=", 0) == 0) password = word.substr(9);
        else if (!word.empty()) rest += (rest.empty() ? "" : " ") + word;
        if (end == std::string::npos) break;
        i = end + 1;
    }
    return {rest, password};
}

}  // namespace mugaika::quarantine
