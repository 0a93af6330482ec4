#include "mugaika/engine.hpp"

#include <chrono>
#include <optional>

#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"
#include "mugaika/sanitizer.hpp"

namespace mugaika {
namespace {

bool changes_content(Action a) {
    return a == Action::removed || a == Action::converted || a == Action::renamed;
}

// A plain-text output under any name outside its type's allowlist gets the safe extension appended
// (plain_text_naming): the same rule for an input, a zip member, a mail attachment, at every depth,
// since every one of them comes through Engine::run.
void name_plain_text(std::string& name, const FileType& type, std::vector<Finding>& findings) {
    const PlainTextNaming* naming = plain_text_naming(type);
    if (!naming) return;
    std::string renamed = plain_text_name(name, *naming);
    if (renamed == name) return;
    auto dot = name.rfind('.');
    std::string ext = dot == std::string::npos || dot == 0 ? "(none)" : "." + name.substr(dot + 1);
    findings.push_back({"", "name.renamed", Action::renamed,
                        std::string(type.id) + " content named " + ext + " is released as " + renamed +
                            " (plain text may only carry: " + std::string(naming->allowed) + ")",
                        "Windowsが拡張子(" + ext + ")に応じて開いたり接続したりしないよう、ファイル名の末尾に「." +
                            std::string(naming->append) + "」を付けました。"});
    name = std::move(renamed);
}

}  // namespace

Engine::Engine(Registry registry, Policy policy)
    : Engine(std::move(registry), std::move(policy), std::make_shared<const Detector>()) {}

Engine::Engine(Registry registry, Policy policy, std::shared_ptr<const Detector> detector)
    : registry_(std::move(registry)), policy_(std::move(policy)), detector_(std::move(detector)) {}

Outcome Engine::process(std::string_view bytes, std::string_view name) const {
    return process(bytes, name, Context::no_secrets());
}

Outcome Engine::process(std::string_view bytes, std::string_view name, const ItemSecrets& secrets) const {
    Budget budget(policy_.limits);
    return run(bytes, name, budget, 0, "", secrets);
}

Outcome Engine::run(std::string_view bytes, std::string_view name, Budget& budget, int depth,
                    const std::string& where, const ItemSecrets& secrets) const {
    auto start = std::chrono::steady_clock::now();
    Outcome o;
    o.input_name = std::string(name);
    o.input_size = bytes.size();
    o.input_sha256 = sha256_hex(bytes);
    o.detected_type = std::string(unknown_file_type().id);

    std::optional<Context> ctx;
    SanitizerOptions options;
    try {
        if (depth == 0 && bytes.size() > policy_.limits.max_input_bytes)
            throw SanitizeError(reason::limit_size, std::to_string(bytes.size()) + " bytes exceed the limit of " +
                                                        std::to_string(policy_.limits.max_input_bytes));
        if (depth > static_cast<int>(policy_.limits.max_depth))
            throw SanitizeError(reason::limit_depth, "nesting deeper than " + std::to_string(policy_.limits.max_depth));
        budget.check_time();

        // Only the item itself carries libmagic's words into its report; a member or attachment is
        // summarised by its type (ChildSummary), so describing it would be work nobody reads.
        Detection detection = detector_->detect(bytes, name, depth == 0 ? Detector::Describe::yes : Detector::Describe::no);
        const FileType& type = *detection.type;
        o.detected_type = std::string(type.id);
        o.magic_description = detection.magic_description;
        for (auto& f : detection.findings) o.findings.push_back(std::move(f));

        NameCheck names = check_name(name);
        for (auto& f : names.findings) o.findings.push_back(std::move(f));
        if (names.dangerous)
            throw SanitizeError(reason::blocked_name, "dangerous file name: " + names.safe_name);

        std::string out_name = names.safe_name;
        if (extension_claims_other_type(type, names.extension)) {
            std::string detail = "extension ." + names.extension + " but content is " + std::string(type.id);
            switch (policy_.name_mismatch) {
            case NameMismatch::block:
                o.findings.push_back({"", "name.mismatch", Action::blocked, detail,
                                      "拡張子と実際の形式(" + std::string(label_ja(type)) + ")が一致しません。"});
                throw SanitizeError(reason::blocked_mismatch, detail);
            case NameMismatch::keep:
                o.findings.push_back({"", "name.mismatch", Action::noted, detail,
                                      "拡張子と実際の形式(" + std::string(label_ja(type)) + ")が一致しません。"});
                break;
            case NameMismatch::rename:
                out_name = with_extension(out_name, canonical_extension(type));
                o.findings.push_back({"", "name.mismatch", Action::renamed, detail,
                                      "拡張子を実際の形式(" + std::string(label_ja(type)) + ")に合わせました。"});
                break;
            }
        }

        // Before the sanitizer runs, so that it sees the name the output will carry (the CSV sanitizer
        // neutralises for the way the application of that extension splits the file).
        name_plain_text(out_name, type, o.findings);

        TypeAction action = policy_.action_for(type.id);
        if (action == TypeAction::block)
            throw SanitizeError(reason::blocked_type, "policy blocks type " + std::string(type.id));
        const Sanitizer* sanitizer = registry_.find(type.id, action);
        if (!sanitizer)
            throw SanitizeError(reason::unsupported, "no " + std::string(to_string(action)) +
                                                          " sanitizer for type " + std::string(type.id) + " yet");

        options = policy_.options_for(sanitizer->name(), registry_);
        ctx.emplace(*this, budget, options, depth, where, secrets);
        std::vector<Output> outputs = sanitizer->sanitize(Input{bytes, out_name, &type}, *ctx);
        budget.check_time();
        if (outputs.empty())
            throw SanitizeError(reason::internal, "sanitizer " + std::string(sanitizer->name()) + " returned no output");

        for (auto& out : outputs) {
            const FileType* out_type = find_file_type(out.type);
            if (!out_type) throw SanitizeError(reason::internal, "output of unknown type " + out.type);
            if (out.name.empty()) {
                out.name = out_name;
                auto dot = out.name.rfind('.');
                std::string ext = dot == std::string::npos ? "" : out.name.substr(dot + 1);
                for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if (out_type != &type && !type_accepts_extension(*out_type, ext))
                    out.name = with_extension(out.name, canonical_extension(*out_type));
            } else {
                // A name a sanitizer chose (an extracted attachment, a member) passes the same name rules
                // as an input: nothing executable leaves the engine under any name.
                NameCheck chosen = check_name(out.name);
                if (chosen.dangerous)
                    throw SanitizeError(reason::blocked_name, "output named " + chosen.safe_name);
                out.name = chosen.safe_name;
            }
            name_plain_text(out.name, *out_type, o.findings);
        }

        for (auto& f : ctx->findings()) o.findings.push_back(std::move(f));
        o.children = std::move(ctx->children());
        o.held = std::move(ctx->held());
        o.about = std::move(ctx->about());
        bool changed = outputs.size() != 1 || outputs[0].bytes != bytes || outputs[0].name != name;
        for (const auto& f : o.findings) changed = changed || changes_content(f.action);
        o.outputs = std::move(outputs);
        o.verdict = changed ? Verdict::disarmed : Verdict::released;
    } catch (const SanitizeError& e) {
        o.verdict = Verdict::quarantined;
        o.reason = e.code();
        o.reason_detail = e.what();
    } catch (const std::bad_alloc&) {
        o.verdict = Verdict::quarantined;
        o.reason = std::string(reason::limit_memory);
        o.reason_detail = "out of memory";
    } catch (const std::exception& e) {
        o.verdict = Verdict::quarantined;
        o.reason = std::string(reason::internal);
        o.reason_detail = e.what();
    } catch (...) {
        o.verdict = Verdict::quarantined;
        o.reason = std::string(reason::internal);
        o.reason_detail = "unknown exception";
    }
    if (o.quarantined()) {
        o.outputs.clear();   // never release anything of a held item
        if (ctx) {
            for (auto& f : ctx->findings()) o.findings.push_back(std::move(f));
            o.children = std::move(ctx->children());
            o.held = std::move(ctx->held());
            o.about = std::move(ctx->about());
        }
    }
    o.elapsed_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now() - start)
                                                  .count());
    return o;
}

}  // namespace mugaika
