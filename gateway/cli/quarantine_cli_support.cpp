#include "quarantine_cli_support.hpp"

#include "../release/gateway_sink.hpp"
#include "cli_config.hpp"
#include "mugaika/quarantine/first_use.hpp"
#include "mugaika/registry.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iostream>

namespace mugaika::cli {

std::unique_ptr<quarantine::QuarantineRuntime> open_quarantine(const Args& args) {
    // The whole configuration, not only the quarantine's tables: an approved release goes out through
    // the gateway's own release path (drop folders, Maildir or LGWAN MTA, the policy for re-disarming).
    GatewayConfig config;
    try {
        config = load_cli_config(args, builtin_registry());
    } catch (const ConfigError& e) {
        throw quarantine::QuarantineConfigError(e.what());
    }
    quarantine::check_first_use(config.review, args.flag("--init"));
    return std::make_unique<quarantine::QuarantineRuntime>(config.review, std::make_unique<GatewaySink>(config));
}

std::string secret_input(const char* env, const std::string& prompt) {
    if (const char* v = std::getenv(env)) return v;
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0) return {};
    termios old{};
    bool tty = ::tcgetattr(fd, &old) == 0;
    if (tty) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    [[maybe_unused]] auto w = ::write(fd, prompt.data(), prompt.size());
    std::string s;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') s.push_back(c);
    if (tty) ::tcsetattr(fd, TCSAFLUSH, &old);
    [[maybe_unused]] auto w2 = ::write(fd, "\n", 1);
    ::close(fd);
    return s;
}

bool has_terminal() {
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

UsageError no_terminal(const char* env) {
    return UsageError(std::string("端末がないため入力を求められません。$") + env + " を設定してください (no terminal to ask on: set $" +
                      env + ")");
}

std::string required_secret(const char* env, const std::string& prompt) {
    if (!std::getenv(env) && !has_terminal()) throw no_terminal(env);
    return secret_input(env, prompt);
}

quarantine::Actor sign_in(quarantine::ReviewService& service, const Args& args) {
    auto user = args.value("--user");
    if (!user) throw UsageError("--user NAME is required (with the password and a TOTP code)");
    std::string password = required_secret("MUGAIKA_PASSWORD", "パスワード (password): ");
    std::string code = args.value("--totp").value_or("");
    if (code.empty()) code = secret_input("MUGAIKA_TOTP", "確認コード (TOTP code): ");
    return service.login(*user, password, code, "cli");
}

int report_refusal(const std::string& command, const quarantine::ReviewError& e) {
    std::cerr << "mugaika " << command << ": " << e.message_ja << "\n  (" << e.what() << ")\n";
    return e.kind == quarantine::ReviewError::internal ? 1 : exit_refused;
}

std::string format_time(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buf;
}

quarantine::QuarantineConfig quarantine_config(const Args& args) {
    if (auto file = config_file(args)) return quarantine::load_quarantine_config(*file);
    return {};
}

nlohmann::ordered_json local_operator() {
    nlohmann::ordered_json who = nlohmann::ordered_json::object();
    uid_t uid = ::getuid();
    who["uid"] = uid;
    if (const passwd* pw = ::getpwuid(uid)) who["login"] = pw->pw_name;
    if (const char* sudo = std::getenv("SUDO_USER")) who["sudo_user"] = sudo;
    return who;
}

}  // namespace mugaika::cli
