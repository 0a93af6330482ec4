// mugaika: the 無害化 gateway's command.
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"

namespace {

void usage(std::ostream& out) {
    out << "usage: mugaika <command> [args]\n"
           "\n"
           "  sanitize INPUT... --out DIR [--quarantine DIR] [--reports DIR] [--config FILE] [--json]\n"
           "      disarm files; only clean output reaches --out, the rest goes to quarantine\n"
           "  mail [--config FILE] [--quarantine DIR] [--name NAME]\n"
           "      pipe mode: one mail on stdin, the safe mail on stdout (exit 0), or held (exit 3)\n"
           "  detect FILE... [--config FILE]\n"
           "      print each file's detected type and the findings of the name and type checks\n"
           "  serve [--config FILE]\n"
           "      run the gateway service: watched share, LMTP for Postfix, workers, release, /metrics\n"
           "  quarantine list|show|request-release|approve|reject|delete|download|import|purge|rekey ... --config FILE\n"
           "      review held items (password + TOTP: --user NAME, $MUGAIKA_PASSWORD, --totp CODE)\n"
           "  user add|passwd|totp-reset|disable|enable|role|list ... --config FILE\n"
           "      manage the reviewers' accounts (admin)\n"
           "  audit verify [FILE] [--config FILE]\n"
           "      check the audit log's hash chain (and the archived files before it); exit 5 when it was altered\n"
           "  audit rotate [--config FILE]\n"
           "      start a new audit log whose first line records the last hash of the archived one\n"
           "  backup create|verify|restore DIR [--config FILE] [--force]\n"
           "      a consistent snapshot of key, database, encrypted store and audit log; and its restore\n"
           "  officer-ui --config FILE\n"
           "      serve the security officer's web UI\n"
           "  selftest sandbox [--config FILE]\n"
           "      start one disarm worker and print each confinement layer as on/off\n"
           "\n"
           "exit status: 0 success (all released or disarmed), 1 internal error, 2 usage or configuration error,\n"
           "             3 something quarantined, 4 refused (login, role, four-eyes, state, maintenance),\n"
           "             5 altered or damaged (audit verify, backup verify)\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
        usage(args.empty() ? std::cerr : std::cout);
        return args.empty() ? mugaika::cli::exit_usage : mugaika::cli::exit_ok;
    }
    std::string command = args[0];
    args.erase(args.begin());
    if (command == "sanitize") return mugaika::cli::sanitize_command(args);
    if (command == "detect") return mugaika::cli::detect_command(args);
    if (command == "mail") return mugaika::cli::mail_command(args);
    if (command == "serve") return mugaika::cli::serve_command(args);
    if (command == "quarantine") return mugaika::cli::quarantine_command(args);
    if (command == "user") return mugaika::cli::user_command(args);
    if (command == "audit") return mugaika::cli::audit_command(args);
    if (command == "officer-ui") return mugaika::cli::officer_ui_command(args);
    if (command == "selftest") return mugaika::cli::selftest_command(args);
    if (command == "backup") return mugaika::cli::backup_command(args);
    std::cerr << "mugaika: unknown command '" << command << "'\n";
    usage(std::cerr);
    return mugaika::cli::exit_usage;
}
