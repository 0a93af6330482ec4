// The `mugaika` subcommands. Each takes its own arguments (after the subcommand) and returns the
// process exit status; each describes its options in a CommandSpec (args.hpp), from which come its
// parsing, its `--help` and the hints of its usage errors.
#pragma once

#include <string>
#include <vector>

#include "args.hpp"

namespace mugaika::cli {

// Exit statuses shared by every command: the one table in README.md ("Exit status") and mugaika(8).
enum Exit : int {
    exit_ok = 0,            // done: every input released or disarmed, the action carried out
    exit_internal = 1,      // our own trouble (I/O, no worker could start, clamd silent): nothing was released for it
    exit_usage = 2,         // bad arguments or configuration (nothing was done)
    exit_quarantined = 3,   // at least one input (or part of one) was quarantined
    exit_refused = 4,       // refused: login failed, role, four-eyes, wrong state, maintenance running
    exit_tampered = 5,      // altered or damaged: `audit verify` found the log changed, `backup verify` a backup
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

const CommandSpec& sanitize_spec();
const CommandSpec& detect_spec();
const CommandSpec& mail_spec();
const CommandSpec& serve_spec();
const CommandSpec& quarantine_spec();
const CommandSpec& user_spec();
const CommandSpec& audit_spec();
const CommandSpec& officer_ui_spec();
const CommandSpec& selftest_spec();
const CommandSpec& backup_spec();

}  // namespace mugaika::cli
