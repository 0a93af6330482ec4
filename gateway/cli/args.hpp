// The subcommands' arguments, read by CLI11 from a declarative description of each command (its
// options, its positional arguments and, for quarantine/user/audit/..., its actions). Every command
// gets the same conventions from here: `--help`/`-h` (exit 0), `--opt=value`, `--opt value`, short
// options where declared (`-o DIR`, `-oDIR`), `--` to end options, and a usage error (exit 2) that
// names the mistake and hints at the fix. The command's body reads the result as `Args`: the action
// (if any) then the positional arguments, the options' values and the switches that were given.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace mugaika::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// `mugaika CMD --help` was asked for: the help text is in `text`. Not a std::exception, so that no
// command's `catch (const std::exception&)` can turn it into an error; main() prints it, exit 0.
struct HelpRequested {
    std::string text;
};

struct Args {
    std::vector<std::string> positional;   // the action first (when the command has actions), then the rest
    std::map<std::string, std::string> values;
    std::set<std::string> flags;

    std::optional<std::string> value(const std::string& key) const {
        auto it = values.find(key);
        return it == values.end() ? std::nullopt : std::optional(it->second);
    }
    bool flag(const std::string& key) const { return flags.contains(key); }
};

// One option: "--out" with an optional short letter; `value_name` empty makes it a switch.
struct OptionSpec {
    std::string name = {};
    std::string value_name = {};
    std::string help = {};
    char short_name = 0;
};

// One positional argument: "ID", "[FILE]" (optional) or "INPUT..." (one or more).
struct PositionalSpec {
    std::string name = {};
    std::string help = {};
};

// An action of a command with actions (`quarantine list`): its own positionals, and the names of the
// command's options it takes.
struct ActionSpec {
    std::string name = {};
    std::string help = {};
    std::vector<PositionalSpec> positionals = {};
    std::vector<std::string> options = {};
};

struct CommandSpec {
    std::string name = {};                       // "sanitize", "quarantine"
    std::string summary = {};                    // one line, for `mugaika --help`
    std::string description = {};                // more lines for `mugaika CMD --help`
    std::vector<OptionSpec> options = {};        // every option the command (or any of its actions) knows
    std::vector<PositionalSpec> positionals = {};   // commands without actions
    std::vector<ActionSpec> actions = {};        // commands with actions: exactly one is required
    std::vector<std::string> common = {};        // options every action takes (--config, --user, ...)
    std::string notes = {};                      // printed after the options in --help
};

// Reads `argv` (the arguments after the command's name) as `spec` says. Throws HelpRequested for
// -h/--help (anywhere, also after an action), UsageError with a hint for everything it refuses.
Args parse_args(const std::vector<std::string>& argv, const CommandSpec& spec);

// The help text of a command (or of one of its actions).
std::string help_text(const CommandSpec& spec, const std::string& action = {});

// The closest of `known` to `word` when it is a likely typo (edit distance <= 2), else empty.
std::string closest(const std::string& word, const std::vector<std::string>& known);

}  // namespace mugaika::cli
