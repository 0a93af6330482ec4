// mugaika officer-ui --config FILE: serves the officer web UI until SIGINT/SIGTERM.
#include <signal.h>

#include <iostream>

#include "commands.hpp"
#include "mugaika/quarantine/web.hpp"
#include "quarantine_cli_support.hpp"

namespace mugaika::cli {

int officer_ui_command(const std::vector<std::string>& argv) {
    Args args;
    try {
        args = parse_args(argv, {"--config"}, {});
        if (!args.positional.empty()) throw UsageError("usage: mugaika officer-ui --config FILE");
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
        std::cerr << "mugaika: configuration error: " << e.what() << "\n";
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "mugaika officer-ui: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace mugaika::cli
