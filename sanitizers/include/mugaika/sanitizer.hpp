// The sanitizer interface: bytes, limits and a policy section in; clean bytes and findings out.
// A sanitizer holds no global state and touches no files, sockets or clocks other than through the
// Context, so it can be fuzzed, benchmarked and run in a child process as it is.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mugaika/converter.hpp"
#include "mugaika/file_type.hpp"
#include "mugaika/limits.hpp"
#include "mugaika/outcome.hpp"
#include "mugaika/policy.hpp"
#include "mugaika/secrets.hpp"

namespace mugaika {

class Engine;

struct Input {
    std::string_view bytes;
    std::string name;        // the safe name (already checked)
    const FileType* type;    // detected type
};

// What a sanitizer can use while it works. One per item; children get their own.
class Context {
public:
    // `secrets` must outlive the context; the default is an empty set.
    Context(const Engine& engine, Budget& budget, const SanitizerOptions& options, int depth,
            std::string where, const ItemSecrets& secrets = no_secrets());

    const SanitizerOptions& options() const { return options_; }
    const std::string& option(std::string_view key) const;   // declared options always have a value
    const Limits& limits() const { return budget_.limits(); }
    Budget& budget() { return budget_; }
    int depth() const { return depth_; }
    void check_time() const { budget_.check_time(); }
    // What a person supplied for the item at the top (passwords); children see the same. Never copy
    // any of it into a finding, a detail or an output name.
    const ItemSecrets& secrets() const { return secrets_; }
    static const ItemSecrets& no_secrets();

    // Records a finding on this item; `where` is relative to it ("" for the item itself).
    void add(Finding finding);
    void add(std::string_view kind, Action action, std::string detail, std::string ja,
             std::string where = {});

    // Runs a child (attachment, member, embedded file) through the whole engine: detection, name
    // checks, policy, its sanitizer. Depth, member count, expanded bytes and time come out of this
    // item's budget. The child's findings are added here under `where`, a held child is recorded in
    // held(). Never throws for the child's own trouble: a bad child is a quarantined outcome.
    Outcome sanitize_child(std::string_view bytes, std::string_view name, std::string_view where);

    // The host's document converter, or nullptr when this process has none (hold the item as
    // "unsupported"). What it returns must go through sanitize_child like any other input.
    const Converter* converter() const;

    std::vector<Finding>& findings() { return findings_; }
    std::vector<ChildSummary>& children() { return children_; }
    std::vector<HeldItem>& held() { return held_; }
    // What people recognise the item by (a mail's subject and sender); kept for the top item only.
    About& about() { return about_; }

private:
    const Engine& engine_;
    Budget& budget_;
    const SanitizerOptions& options_;
    int depth_;
    std::string where_;   // this item's own path from the top, for children's paths
    const ItemSecrets& secrets_;
    std::vector<Finding> findings_;
    std::vector<ChildSummary> children_;
    std::vector<HeldItem> held_;
    About about_;
};

// One option a sanitizer accepts in its [sanitizer.NAME] table.
struct OptionSpec {
    std::string key;
    std::string default_value;
    std::vector<std::string> allowed;   // empty: an integer within [min, max]
    std::string help;
    std::uint64_t min = 1;
    std::uint64_t max = UINT64_MAX;
};

class Sanitizer {
public:
    virtual ~Sanitizer() = default;

    // Name of its [sanitizer.NAME] policy table.
    virtual std::string_view name() const = 0;
    // Type ids it handles, and with which action (reconstruct or convert).
    virtual std::vector<std::string> types() const = 0;
    virtual TypeAction action() const { return TypeAction::reconstruct; }
    virtual std::vector<OptionSpec> options() const { return {}; }

    // Returns the clean outputs (usually one). Throws SanitizeError to quarantine the item; findings
    // added to the context before that are kept in the report.
    virtual std::vector<Output> sanitize(const Input& input, Context& ctx) const = 0;
};

}  // namespace mugaika
