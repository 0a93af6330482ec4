// What the quarantine's subcommands share: the runtime from --config, signing in (password + TOTP),
// and turning refusals into messages and exit statuses.
//
// Signing in from the command line: --user NAME, the password from $MUGAIKA_PASSWORD or asked on the
// terminal without echo, the TOTP code from --totp CODE, $MUGAIKA_TOTP or asked. Every content action
// needs both factors, like the web UI: a script that operates the quarantine is a person's delegate and
// is audited as that person. The only exception is the local bootstrap (`user add --bootstrap`, only
// while no account exists): whoever can read the configuration, the key file and the database already
// controls the store, so requiring a login that cannot exist yet would protect nothing.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "args.hpp"
#include "commands.hpp"
#include "mugaika/quarantine/runtime.hpp"

namespace mugaika::cli {

// The runtime of the configuration (cli_config.hpp); a missing key or database is refused
// (quarantine::FirstUseRefused, a QuarantineConfigError) unless the command was given --init.
std::unique_ptr<quarantine::QuarantineRuntime> open_quarantine(const Args& args);
// Asks for a secret on the terminal without echo (or takes it from `env`). Empty when neither exists.
std::string secret_input(const char* env, const std::string& prompt);
// The same, but neither the variable nor a terminal is a usage error that names the variable (once,
// not as the empty secret's refusal later).
std::string required_secret(const char* env, const std::string& prompt);
bool has_terminal();
UsageError no_terminal(const char* env);   // the usage error that names $env
quarantine::Actor sign_in(quarantine::ReviewService& service, const Args& args);
// Prints a ReviewError (Japanese first, then English) and returns exit_refused.
int report_refusal(const std::string& command, const quarantine::ReviewError& e);
std::string format_time(std::int64_t unix_seconds);
// The [quarantine], [officer_ui] and [audit] tables of --config (the built-in defaults without it), for
// the maintenance commands that must not open a runtime (rekey, backup, audit rotate).
quarantine::QuarantineConfig quarantine_config(const Args& args);
// Who runs a maintenance command, for its audit lines: uid, the login name, and $SUDO_USER when set.
nlohmann::ordered_json local_operator();

}  // namespace mugaika::cli
