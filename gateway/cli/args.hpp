// A small argument reader for the subcommands: positional arguments and --flag [value] options.
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

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> values;
    std::set<std::string> flags;

    std::optional<std::string> value(const std::string& key) const {
        auto it = values.find(key);
        return it == values.end() ? std::nullopt : std::optional(it->second);
    }
    bool flag(const std::string& key) const { return flags.contains(key); }
};

// `with_value` options take the next argument; `switches` take none; anything else starting with
// "--" is a usage error. "--" ends options.
inline Args parse_args(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
                       const std::set<std::string>& switches) {
    Args a;
    bool options = true;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& s = argv[i];
        if (options && s == "--") { options = false; continue; }
        if (options && s.starts_with("--")) {
            if (with_value.contains(s)) {
                if (i + 1 >= argv.size()) throw UsageError(s + " needs a value");
                a.values[s] = argv[++i];
            } else if (switches.contains(s)) {
                a.flags.insert(s);
            } else {
                throw UsageError("unknown option " + s);
            }
            continue;
        }
        a.positional.push_back(s);
    }
    return a;
}

}  // namespace mugaika::cli
