// mugaika officer-ui --config FILE: serves the officer web UI until SIGINT/SIGTERM.
#include <signal.h>

#include <iostream>

#include "cli_config.hpp"
#include "commands.hpp"
#include "mugaika/quarantine/web.hpp"
#include "quarantine_cli_support.hpp"

namespace mugaika::cli {

const CommandSpec& officer_ui_spec() {
    static const CommandSpec spec{
        "officer-ui",
        "serve the security officer's web UI ([officer_ui] listen; 情報セキュリティ担当者の画面)",
        "HTTPS with [officer_ui] tls_cert and tls_key; plain HTTP only on loopback. SIGTERM stops it.",
        {config_option(), init_option()},
        {}};
    return spec;
}

int officer_ui_command(const std::vector<std::string>& argv) {
    Args args;
    try {
        args = parse_args(argv, officer_ui_spec());
    } catch (const UsageError& e) {
        std::cerr << "mugaika officer-ui: " << e.what() << "\n";
        return exit_usage;
    }
    try {
        auto rt = open_quarantine(args);
        // Wait for the stop signal in this thread; block it first so the server's threads never take it.
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop, nullptr);
        quarantine::OfficerServer server(rt->service(), rt->config());
        server.start();
        std::cout << "officer UI listening on " << (server.tls() ? "https://" : "http://") << rt->config().ui_host
                  << ":" << server.port() << "/" << std::endl;
        int sig = 0;
        sigwait(&stop, &sig);
        server.stop();
        return exit_ok;
    } catch (const quarantine::QuarantineConfigError& e) {
        return report_config_error(e.what());
    } catch (const std::exception& e) {
        std::cerr << "mugaika officer-ui: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace mugaika::cli
