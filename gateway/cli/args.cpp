#include "args.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>

namespace mugaika::cli {
namespace {

const OptionSpec* find_option(const CommandSpec& spec, const std::string& name) {
    for (const auto& o : spec.options)
        if (o.name == name) return &o;
    return nullptr;
}

std::string cli11_names(const OptionSpec& o) {
    std::string names = o.name;
    if (o.short_name) names += std::string(",-") + o.short_name;
    return names;
}

// "[FILE]" is optional, "INPUT..." takes one or more; CLI11 gets the bare name.
struct Positional {
    std::string name;
    bool optional = false;
    bool many = false;
};
Positional positional(const PositionalSpec& p) {
    Positional r;
    r.name = p.name;
    if (r.name.starts_with("[") && r.name.ends_with("]")) {
        r.optional = true;
        r.name = r.name.substr(1, r.name.size() - 2);
    }
    if (r.name.ends_with("...")) {
        r.many = true;
        r.name.resize(r.name.size() - 3);
    }
    return r;
}

const std::string exit_footer =
    "\nExit status (終了コード): 0 done, 1 internal error, 2 usage or configuration error, 3 quarantined,\n"
    "4 refused, 5 altered or damaged (the table: README.md, man mugaika).";

// One CLI11 app (or action) with the options `names` of `spec` and the positionals `pos`.
struct Built {
    CLI::App* app = nullptr;
    std::vector<std::pair<const OptionSpec*, CLI::Option*>> options;
    // Each positional's values, bound as a vector (CLI11 then takes one or several of them in order).
    std::vector<std::shared_ptr<std::vector<std::string>>> positionals;
};

Built add_options(CLI::App& app, const CommandSpec& spec, const std::vector<std::string>& names,
                  const std::vector<PositionalSpec>& pos) {
    Built b;
    b.app = &app;
    for (const auto& n : names) {
        const OptionSpec* o = find_option(spec, n);
        if (!o) throw std::logic_error("mugaika " + spec.name + ": option " + n + " is not declared");
        CLI::Option* opt = o->value_name.empty() ? app.add_flag(cli11_names(*o), o->help)
                                                 : app.add_option(cli11_names(*o), o->help)->type_name(o->value_name);
        b.options.emplace_back(o, opt);
    }
    for (const auto& p : pos) {
        Positional x = positional(p);
        auto values = std::make_shared<std::vector<std::string>>();
        CLI::Option* opt = app.add_option(x.name, *values, p.help)->type_name("");
        if (!x.many) opt->expected(1);
        if (!x.optional) opt->required();
        b.positionals.push_back(values);
    }
    return b;
}

std::vector<std::string> option_names(const CommandSpec& spec, const std::vector<std::string>& names) {
    std::vector<std::string> all;
    for (const auto& n : names) {
        all.push_back(n);
        if (const OptionSpec* o = find_option(spec, n); o && o->short_name) all.push_back(std::string("-") + o->short_name);
    }
    return all;
}

std::vector<std::string> all_option_names(const CommandSpec& spec) {
    std::vector<std::string> names;
    for (const auto& o : spec.options) names.push_back(o.name);
    return names;
}

// The whole command as CLI11 sees it; `built` keeps what parse_args reads back.
struct Parser {
    std::unique_ptr<CLI::App> app;
    Built top;
    std::vector<Built> actions;
};

Parser make_parser(const CommandSpec& spec) {
    Parser p;
    p.app = std::make_unique<CLI::App>(spec.summary + (spec.description.empty() ? "" : "\n" + spec.description),
                                      "mugaika " + spec.name);
    p.app->set_help_flag("-h,--help", "この説明を表示 (print this help and exit)");
    p.app->footer(spec.notes + exit_footer);
    if (spec.actions.empty()) {
        p.top = add_options(*p.app, spec, all_option_names(spec), spec.positionals);
        return p;
    }
    // The options every action takes may also come before the action (`quarantine --config F list`).
    p.top = add_options(*p.app, spec, spec.common, {});
    p.app->require_subcommand(1);
    for (const auto& a : spec.actions) {
        CLI::App* sub = p.app->add_subcommand(a.name, a.help);
        sub->set_help_flag("-h,--help", "この説明を表示 (print this help and exit)");
        std::vector<std::string> names = spec.common;
        names.insert(names.end(), a.options.begin(), a.options.end());
        sub->footer(spec.notes + exit_footer);
        p.actions.push_back(add_options(*sub, spec, names, a.positionals));
    }
    return p;
}

void collect(const Built& b, Args& args) {
    for (const auto& [o, opt] : b.options) {
        if (opt->count() == 0) continue;
        if (o->value_name.empty()) {
            args.flags.insert(o->name);
        } else {
            if (args.values.contains(o->name)) throw UsageError(o->name + " is given twice");
            args.values[o->name] = opt->as<std::string>();
        }
    }
    for (const auto& values : b.positionals)
        for (const auto& v : *values) args.positional.push_back(v);
}

std::string see_help(const CommandSpec& spec) {
    return "\n  (詳しくは `mugaika " + spec.name + " --help`; see `mugaika " + spec.name + " --help`)";
}

// CLI11's refusal, said in our words with a hint at the fix.
UsageError explain(const CommandSpec& spec, const Parser& p, const CLI::ParseError& e) {
    const CLI::App* in = p.app.get();
    const ActionSpec* action = nullptr;
    for (std::size_t i = 0; i < spec.actions.size(); ++i)
        if (p.actions[i].app->parsed()) {
            in = p.actions[i].app;
            action = &spec.actions[i];
        }
    std::vector<std::string> known = action ? option_names(spec, spec.common) : option_names(spec, all_option_names(spec));
    if (action) {
        auto more = option_names(spec, action->options);
        known.insert(known.end(), more.begin(), more.end());
    }
    std::string message = e.what();
    if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
        std::vector<std::string> extras = in->remaining();
        const std::string word = extras.empty() ? std::string() : extras.front();
        if (word.starts_with("-")) {
            std::string name = word.substr(0, word.find('='));
            message = "unknown option " + name;
            if (auto s = closest(name, known); !s.empty()) message += " (did you mean " + s + "?)";
            else if (find_option(spec, name) && action)
                message += " (`" + spec.name + " " + action->name + "` does not take it)";
        } else if (!spec.actions.empty() && !action) {
            std::vector<std::string> names;
            for (const auto& a : spec.actions) names.push_back(a.name);
            message = "unknown action '" + word + "'";
            if (auto s = closest(word, names); !s.empty()) message += " (did you mean " + s + "?)";
        } else {
            message = "unexpected argument '" + word + "'";
        }
    } else if (dynamic_cast<const CLI::RequiredError*>(&e) && !spec.actions.empty() && !action) {
        std::vector<std::string> words = in->remaining();
        std::string names;
        std::vector<std::string> list;
        for (const auto& a : spec.actions) {
            names += (names.empty() ? "" : ", ") + a.name;
            list.push_back(a.name);
        }
        const std::string word = words.empty() ? std::string() : words.front();
        if (!word.empty() && !word.starts_with("-")) {
            message = "unknown action '" + word + "'";
            if (auto s = closest(word, list); !s.empty()) message += " (did you mean " + s + "?)";
            else message += " (one of: " + names + ")";
        } else {
            message = "which action? one of: " + names;
        }
    } else if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {
        // "--out: 1 required TEXT missing": an option at the end without its value.
        std::string name = message.substr(0, message.find(':'));
        if (const OptionSpec* o = find_option(spec, name)) message = name + " needs a value (" + name + " " + o->value_name + " or " + name + "=" + o->value_name + ")";
        else if (message.find("At Most") != std::string::npos) message = "too many arguments (" + name + " is one)";
    }
    return UsageError(message + see_help(spec));
}

std::size_t distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string closest(const std::string& word, const std::vector<std::string>& known) {
    std::string best;
    std::size_t best_d = 3;
    for (const auto& k : known) {
        std::size_t d = distance(word, k);
        // Also a prefix of a known name ("--conf" for "--config").
        if (k.size() > word.size() + 2 && k.starts_with(word) && word.size() >= 3) d = 1;
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    return best;
}

std::string help_text(const CommandSpec& spec, const std::string& action) {
    Parser p = make_parser(spec);
    for (std::size_t i = 0; i < spec.actions.size(); ++i)
        if (spec.actions[i].name == action) return p.actions[i].app->help("mugaika " + spec.name);
    return p.app->help();
}

Args parse_args(const std::vector<std::string>& argv, const CommandSpec& spec) {
    Parser p = make_parser(spec);
    std::vector<std::string> reversed(argv.rbegin(), argv.rend());
    try {
        p.app->parse(reversed);
    } catch (const CLI::CallForHelp&) {
        throw HelpRequested{p.app->help()};
    } catch (const CLI::ParseError& e) {
        throw explain(spec, p, e);
    }
    Args args;
    for (std::size_t i = 0; i < spec.actions.size(); ++i)
        if (p.actions[i].app->parsed()) args.positional.push_back(spec.actions[i].name);
    collect(p.top, args);
    for (const auto& a : p.actions)
        if (a.app->parsed()) collect(a, args);
    return args;
}

}  // namespace mugaika::cli
