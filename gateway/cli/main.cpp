// mugaika: the 無害化 gateway's command. Each subcommand describes its arguments (args.hpp); this file
// lists them, answers --help and --version, and turns a parser's help request into exit 0.
#include <iostream>
#include <string>
#include <vector>

#include "../service/log.hpp"
#include "commands.hpp"

#ifndef MUGAIKA_VERSION
#define MUGAIKA_VERSION "unknown"
#endif

namespace {
using namespace mugaika::cli;

struct Command {
    const char* name;
    const CommandSpec& (*spec)();
    int (*run)(const std::vector<std::string>&);
};

const std::vector<Command>& commands() {
    static const std::vector<Command> all{
        {"sanitize", sanitize_spec, sanitize_command},
        {"mail", mail_spec, mail_command},
        {"detect", detect_spec, detect_command},
        {"serve", serve_spec, serve_command},
        {"quarantine", quarantine_spec, quarantine_command},
        {"user", user_spec, user_command},
        {"audit", audit_spec, audit_command},
        {"officer-ui", officer_ui_spec, officer_ui_command},
        {"backup", backup_spec, backup_command},
        {"selftest", selftest_spec, selftest_command},
    };
    return all;
}

const Command* find(const std::string& name) {
    for (const auto& c : commands())
        if (name == c.name) return &c;
    return nullptr;
}

void usage(std::ostream& out) {
    out << "mugaika " MUGAIKA_VERSION " — 無害化ゲートウェイ (content disarm and reconstruction gateway)\n\n"
           "usage: mugaika <command> [options] [arguments]\n"
           "       mugaika <command> --help     options and arguments of one command\n"
           "       mugaika --version\n\ncommands:\n";
    for (const auto& c : commands()) {
        std::string name = c.name;
        name.resize(12, ' ');
        out << "  " << name << c.spec().summary << "\n";
    }
    out << "\nOptions take a value as `--out DIR` or `--out=DIR`; `-c FILE` is --config FILE.\n"
           "Without --config: $MUGAIKA_CONFIG, else /etc/mugaika/mugaika.toml when installed.\n"
           "\nexit status (every command):\n"
           "  0  done: every input released or disarmed, the action carried out\n"
           "  1  internal error (I/O, no worker, clamd not answering); nothing was released for the item concerned\n"
           "  2  usage or configuration error; nothing was done\n"
           "  3  at least one input, or a part of one, was quarantined\n"
           "  4  refused: login, role, four-eyes, state of the item, maintenance running\n"
           "  5  altered or damaged: the audit log's chain (audit verify), a backup (backup verify)\n";
}

std::vector<std::string> command_names() {
    std::vector<std::string> names;
    for (const auto& c : commands()) names.push_back(c.name);
    return names;
}

int unknown_command(const std::string& word) {
    std::cerr << "mugaika: unknown command '" << word << "'";
    if (auto s = closest(word, command_names()); !s.empty()) std::cerr << " (did you mean " << s << "?)";
    std::cerr << "\n  (一覧は `mugaika --help`; see `mugaika --help`)\n";
    return exit_usage;
}

int run(std::vector<std::string> args) {
    if (args.empty()) {
        usage(std::cerr);
        return exit_usage;
    }
    const std::string first = args[0];
    if (first == "-h" || first == "--help") {
        usage(std::cout);
        return exit_ok;
    }
    if (first == "-V" || first == "--version" || first == "version") {
        std::cout << "mugaika " MUGAIKA_VERSION "\n";
        return exit_ok;
    }
    if (first == "help") {
        if (args.size() == 1) {
            usage(std::cout);
            return exit_ok;
        }
        const Command* c = find(args[1]);
        if (!c) return unknown_command(args[1]);
        std::cout << help_text(c->spec(), args.size() > 2 ? args[2] : "");
        return exit_ok;
    }
    if (first.starts_with("-")) {
        // `mugaika --config F serve`: the options belong to the command.
        std::cerr << "mugaika: " << first << " comes after the command: mugaika <command> " << first
                  << " ...\n  (一覧は `mugaika --help`; see `mugaika --help`)\n";
        return exit_usage;
    }
    const Command* c = find(first);
    if (!c) return unknown_command(first);
    args.erase(args.begin());
    try {
        return c->run(args);
    } catch (const HelpRequested& h) {
        std::cout << h.text;
        return exit_ok;
    }
}

}  // namespace

int main(int argc, char** argv) {
    // Library noise (libgsf's CRITICALs, GLib warnings) becomes our debug lines, not stderr.
    mugaika::log::route_library_messages();
    return run(std::vector<std::string>(argv + 1, argv + argc));
}
