#include "mugaika/engine.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/sanitizer.hpp"

namespace mugaika {

Context::Context(const Engine& engine, Budget& budget, const SanitizerOptions& options, int depth,
                 std::string where, const ItemSecrets& secrets)
    : engine_(engine), budget_(budget), options_(options), depth_(depth), where_(std::move(where)),
      secrets_(secrets) {}

const ItemSecrets& Context::no_secrets() {
    static const ItemSecrets none;   // immutable: shared by every context that was given nothing
    return none;
}

const std::string& Context::option(std::string_view key) const {
    auto it = options_.find(key);
    if (it == options_.end()) throw std::logic_error("undeclared sanitizer option " + std::string(key));
    return it->second;
}

const Converter* Context::converter() const { return engine_.converter(); }

void Context::add(Finding finding) { findings_.push_back(std::move(finding)); }

void Context::add(std::string_view kind, Action action, std::string detail, std::string ja, std::string where) {
    findings_.push_back(Finding{std::move(where), std::string(kind), action, std::move(detail), std::move(ja)});
}

namespace {
std::string join_where(std::string_view parent, std::string_view child) {
    if (parent.empty()) return std::string(child);
    if (child.empty()) return std::string(parent);
    return std::string(parent) + "/" + std::string(child);
}

// Budgets shared by the whole input: once a child spends them, the parent is over too.
bool is_shared_budget(std::string_view code) {
    return code == reason::limit_time || code == reason::limit_expanded || code == reason::limit_members;
}
}  // namespace

Outcome Context::sanitize_child(std::string_view bytes, std::string_view name, std::string_view where) {
    budget_.charge_member();
    budget_.charge_expanded(bytes.size());
    Outcome child = engine_.run(bytes, name, budget_, depth_ + 1, join_where(where_, where), secrets_);
    if (child.quarantined() && is_shared_budget(child.reason))
        throw SanitizeError(child.reason, "in " + std::string(where) + ": " + child.reason_detail);

    for (const auto& f : child.findings) {
        Finding copy = f;
        copy.where = join_where(where, f.where);
        findings_.push_back(std::move(copy));
    }
    children_.push_back(ChildSummary{std::string(where), child.input_name, child.detected_type,
                                     child.verdict, child.reason});
    if (child.quarantined())
        held_.push_back(HeldItem{std::string(where), child.input_name, child.detected_type, child.reason,
                                 child.reason_detail});
    for (const auto& h : child.held) {
        HeldItem copy = h;
        copy.where = join_where(where, h.where);
        held_.push_back(std::move(copy));
    }
    return child;
}

}  // namespace mugaika
