// The `mugaika` subcommands. Each takes its own arguments (after the subcommand) and returns the
// process exit status.
#pragma once

#include <string>
#include <vector>

namespace mugaika::cli {

// Exit statuses shared by every command (documented in README.md).
enum Exit : int {
    exit_ok = 0,            // every input released or disarmed
    exit_internal = 1,      // our own trouble (I/O, no worker could start): nothing was released for it
    exit_usage = 2,         // bad arguments or configuration
    exit_quarantined = 3,   // at least one input (or part of one) was quarantined
};

int sanitize_command(const std::vector<std::string>& args);
int detect_command(const std::vector<std::string>& args);
// Pipe mode: one mail on stdin, the safe mail on stdout (exit 0), or quarantined (exit 3).
int mail_command(const std::vector<std::string>& args);
int serve_command(const std::vector<std::string>& args);
int quarantine_command(const std::vector<std::string>& args);   // quarantine_command.cpp (issue 7)
int user_command(const std::vector<std::string>& args);         // user_command.cpp
int audit_command(const std::vector<std::string>& args);        // audit_command.cpp
int officer_ui_command(const std::vector<std::string>& args);   // officer_ui_command.cpp
int selftest_command(const std::vector<std::string>& args);     // selftest_command.cpp: the sandbox's layers
int backup_command(const std::vector<std::string>& args);       // backup_command.cpp

}  // namespace mugaika::cli
