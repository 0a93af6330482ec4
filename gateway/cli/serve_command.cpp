// mugaika serve [--config FILE]: the gateway service. Runs in the foreground (systemd Type=notify is
// not needed: the service is ready once it logs "ready"); SIGTERM/SIGINT stop it, SIGHUP reloads.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "../config/gateway_config.hpp"
#include "../service/log.hpp"
#include "../service/service.hpp"
#include "../worker/isolated.hpp"
#include "args.hpp"
#include "cli_config.hpp"
#include "commands.hpp"
#include "mugaika/quarantine/first_use.hpp"

namespace mugaika::cli {

const CommandSpec& serve_spec() {
    static const CommandSpec spec{
        "serve",
        "run the gateway service: watched share, LMTP for Postfix, workers, release, /metrics (常駐サービス)",
        "Runs in the foreground; SIGTERM/SIGINT stop it (nothing accepted is lost), SIGHUP reloads the file.",
        {config_option(), init_option()},
        {}};
    return spec;
}

int serve_command(const std::vector<std::string>& argv) {
    Args args;
    GatewayConfig config;
    std::optional<std::filesystem::path> file;
    try {
        args = parse_args(argv, serve_spec());
        file = config_file(args);
        if (file) config = load_config(*file, builtin_registry());
        quarantine::check_first_use(config.review, args.flag("--init"));
    } catch (const UsageError& e) {
        std::cerr << "mugaika serve: " << e.what() << "\n";
        return exit_usage;
    } catch (const ConfigError& e) {
        return report_config_error(e.what());
    }
    catch (const quarantine::FirstUseRefused& e) {
        std::cerr << "mugaika serve: " << e.what() << "\n";
        return exit_usage;
    }

    // Signals are taken synchronously by this thread only: every thread started below inherits the mask.
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGIO, SIG_IGN);   // lease-break notices of the share's open-file probe

    log::open_syslog(config.syslog);
    // The sandbox first: a kernel that refuses it stops the service before it accepts anything,
    // unless the site chose isolation = "degraded" (docs/service.md, "Sandbox").
    if (!worker_isolation_ready(config.worker)) return exit_internal;
    // One more spare than workers: an item that follows the previous one at once finds a worker ready
    // while the spare just taken is being replaced (a new worker takes a moment to build its sandbox).
    set_spare_workers(config.worker_count() + 1);
    std::unique_ptr<Service> service;
    try {
        service = std::make_unique<Service>(config);
        service->start();
    } catch (const std::exception& e) {
        log::error(std::string("cannot start: ") + e.what());
        if (service && !service->stop(std::chrono::seconds(5))) std::_Exit(exit_internal);
        return exit_internal;
    }
    log::info("ready");

    while (true) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (sig == SIGHUP) {
            if (!file) {
                log::warn("SIGHUP: running on built-in defaults, nothing to reload");
                continue;
            }
            try {
                GatewayConfig next = load_config(*file, builtin_registry());
                service->reload(std::move(next));
            } catch (const ConfigError& e) {
                log::error(std::string("reload refused, keeping the running configuration: ") + e.what());
            } catch (const std::exception& e) {
                log::error(std::string("reload failed, keeping the running configuration: ") + e.what());
            }
            continue;
        }
        log::info(std::string("stopping on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
        break;
    }
    bool idle = service->stop(std::chrono::seconds(config.worker.wall.count() / 1000 + 5 > 60 ? 60 : config.worker.wall.count() / 1000 + 5));
    log::info("stopped");
    if (!idle) std::_Exit(exit_ok);   // running jobs resume at next start; their children die with us
    return exit_ok;
}

}  // namespace mugaika::cli
