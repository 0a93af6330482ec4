// The engine's own behaviour: policy, names, verdicts, recursion budgets, reports.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"
#include "../../sanitizers/text/text_sanitizer.hpp"

using namespace mugaika;

namespace {

bool has(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

// A toy container for testing recursion: "tar" bytes are children separated by "\n--\n", each
// "name:content". Registered for the tar type only in these tests.
class SplitContainer final : public Sanitizer {
public:
    std::string_view name() const override { return "split"; }
    std::vector<std::string> types() const override { return {"tar"}; }
    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        std::vector<Output> outs;
        std::string_view rest = in.bytes.substr(4);   // skip the "SPL\n" marker
        int i = 0;
        while (!rest.empty()) {
            auto sep = rest.find("\n--\n");
            std::string_view part = rest.substr(0, sep);
            auto colon = part.find(':');
            Outcome child = ctx.sanitize_child(part.substr(colon + 1), part.substr(0, colon),
                                               "member[" + std::to_string(i++) + "]");
            for (auto& o : child.outputs) outs.push_back(o);
            if (sep == std::string_view::npos) break;
            rest.remove_prefix(sep + 4);
        }
        return outs;
    }
};

Registry with_container() {
    Registry r;
    r.add(make_text_sanitizer());
    r.add(std::make_shared<SplitContainer>());
    return r;
}

// Runs the toy container through a Context of its own, as the engine would for a detected tar.
Outcome run_container(const Engine& engine, const std::string& body) {
    Budget budget(engine.policy().limits);
    SanitizerOptions none;
    Context ctx(engine, budget, none, 0, "");
    Outcome o;
    try {
        SplitContainer c;
        o.outputs = c.sanitize(Input{body, "box.tar", find_file_type("tar")}, ctx);
        o.verdict = Verdict::disarmed;
    } catch (const SanitizeError& e) {
        o.verdict = Verdict::quarantined;
        o.reason = e.code();
    }
    o.findings = ctx.findings();
    o.held = ctx.held();
    o.children = ctx.children();
    return o;
}

}  // namespace

TEST_CASE("engine: blocked types are quarantined with blocked.type and nothing is released") {
    Engine e(builtin_registry(), Policy::defaults());
    Outcome o = e.process("MZ\x90\x00 this is a program", "tool.bin");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "blocked.type");
    CHECK(o.detected_type == "exe");
    CHECK(o.outputs.empty());
}

TEST_CASE("engine: a type without a sanitizer yet is quarantined as unsupported") {
    Engine e(Registry{}, Policy::defaults());
    Outcome o = e.process("plain text\n", "a.txt");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "unsupported");
}

TEST_CASE("engine: dangerous names block even when the content is harmless") {
    Engine e(builtin_registry(), Policy::defaults());
    Outcome o = e.process("echo hi\n", "run.bat");
    CHECK(o.reason == "blocked.name");
    CHECK(has(o, "name.dangerous_extension"));
    CHECK(e.process("hello\n", "a.txt\u202Eexe.pdf").reason == "blocked.name");
}

TEST_CASE("engine: input over the size limit") {
    Policy p = Policy::defaults();
    p.limits.max_input_bytes = 10;
    Engine e(builtin_registry(), p);
    Outcome o = e.process("01234567890123456789", "a.txt");
    CHECK(o.reason == "limit.size");
}

TEST_CASE("engine: an extension that claims another type is renamed, blocked or kept by policy") {
    Policy p = Policy::defaults();
    Engine rename(builtin_registry(), p);
    Outcome r = rename.process("just text\n", "invoice.pdf");
    CHECK(r.verdict == Verdict::disarmed);
    CHECK(has(r, "name.mismatch"));
    REQUIRE(r.outputs.size() == 1);
    CHECK(r.outputs[0].name == "invoice.txt");

    p.name_mismatch = NameMismatch::block;
    CHECK(Engine(builtin_registry(), p).process("just text\n", "invoice.pdf").reason == "blocked.mismatch");

    p.name_mismatch = NameMismatch::keep;
    Outcome k = Engine(builtin_registry(), p).process("just text\n", "invoice.pdf");
    CHECK(has(k, "name.mismatch"));
    // "keep" keeps the name, but plain text only ever crosses under a text extension.
    CHECK(k.verdict == Verdict::disarmed);
    CHECK(k.outputs[0].name == "invoice.pdf.txt");
    CHECK(has(k, "name.renamed"));
    // An extension no other type claims is not a mismatch, but text still gets .txt.
    Outcome j = Engine(builtin_registry(), Policy::defaults()).process("{}\n", "data.json");
    CHECK_FALSE(has(j, "name.mismatch"));
    REQUIRE(j.outputs.size() == 1);
    CHECK(j.outputs[0].name == "data.json.txt");
}

TEST_CASE("engine: children are sanitized through the engine and held children are recorded") {
    Engine e(with_container(), Policy::defaults());
    Outcome o = run_container(e, "SPL\nok.txt:hello\n--\nbad.exe:MZ\x90\x00 program");
    CHECK(o.verdict == Verdict::disarmed);
    REQUIRE(o.children.size() == 2);
    CHECK(o.children[0].verdict == Verdict::released);
    CHECK(o.children[1].verdict == Verdict::quarantined);
    REQUIRE(o.held.size() == 1);
    CHECK(o.held[0].where == "member[1]");
    CHECK(o.held[0].reason == "blocked.name");
    CHECK(o.outputs.size() == 1);
    // The child's findings are reported under its path.
    bool found = false;
    for (const auto& f : o.findings) found = found || (f.where == "member[1]" && f.kind == "name.dangerous_extension");
    CHECK(found);
}

TEST_CASE("engine: children draw on the shared budgets") {
    Policy p = Policy::defaults();
    p.limits.max_members = 2;
    Engine members(with_container(), p);
    CHECK(run_container(members, "SPL\na.txt:1\n--\nb.txt:2\n--\nc.txt:3").reason == "limit.members");

    p = Policy::defaults();
    p.limits.max_expanded_bytes = 8;
    Engine expanded(with_container(), p);
    CHECK(run_container(expanded, "SPL\na.txt:12345\n--\nb.txt:67890").reason == "limit.expanded");

    p = Policy::defaults();
    p.limits.max_depth = 0;
    Engine depth(with_container(), p);
    Outcome d = run_container(depth, "SPL\na.txt:1");
    REQUIRE(d.held.size() == 1);
    CHECK(d.held[0].reason == "limit.depth");

    p = Policy::defaults();
    p.limits.time_budget = std::chrono::milliseconds(0);
    Engine time(with_container(), p);
    CHECK(run_container(time, "SPL\na.txt:1").reason == "limit.time");
}

TEST_CASE("report: JSON report carries verdict, reason, findings and a Japanese summary") {
    Engine e(builtin_registry(), Policy::defaults());
    Outcome o = e.process("MZ\x90\x00", "請求書.pdf.exe");
    auto j = to_report_json(o);
    CHECK(j["schema"] == "mugaika.report/1");
    CHECK(j["verdict"] == "quarantined");
    CHECK(j["reason"]["code"] == "blocked.name");
    CHECK(j["reason"]["message_ja"].get<std::string>().find("保留") != std::string::npos);
    CHECK(j["input"]["sha256"].get<std::string>().size() == 64);
    CHECK(j["findings"].size() >= 1);
    CHECK(j["summary_ja"].get<std::string>().starts_with("保留しました"));

    Outcome d = e.process("a\x01" "b\n", "a.txt");
    std::string s = summary_ja(d);
    CHECK(s.starts_with("無害化しました"));
    CHECK(s.find("制御文字") != std::string::npos);
}

TEST_CASE("report: every reason code has a Japanese explanation") {
    for (auto code : {reason::unsupported, reason::blocked_type, reason::malformed, reason::encrypted, reason::limit_time,
                      reason::worker_crash, reason::internal, std::string_view("limit.something_new")}) {
        CHECK_FALSE(reason::explain_ja(code).empty());
    }
}

TEST_CASE("report: the worker codec round-trips an outcome and rejects tampering") {
    Engine e(builtin_registry(), Policy::defaults());
    Outcome o = e.process("a,=1\n", "x.csv");
    std::string enc = encode_outcome(o);
    Outcome back = decode_outcome(enc);
    CHECK(back.verdict == o.verdict);
    REQUIRE(back.outputs.size() == 1);
    CHECK(back.outputs[0].bytes == o.outputs[0].bytes);
    CHECK(back.findings.size() == o.findings.size());
    std::string tampered = enc;
    tampered[tampered.size() - 2] ^= 1;   // flip a byte of the output
    CHECK_THROWS(decode_outcome(tampered));
    CHECK_THROWS(decode_outcome(enc.substr(0, enc.size() - 1)));
    CHECK_THROWS(decode_outcome("garbage"));
}

namespace {
// A sanitizer that names its output itself, dangerously.
class NamesItsOutput final : public Sanitizer {
public:
    std::string_view name() const override { return "names-output"; }
    std::vector<std::string> types() const override { return {"text"}; }
    std::vector<Output> sanitize(const Input& in, Context&) const override {
        return {Output{"run.exe", "text", std::string(in.bytes)}};
    }
};
}  // namespace

TEST_CASE("engine: an output a sanitizer names dangerously is never released") {
    Registry r;
    r.add(std::make_shared<NamesItsOutput>());
    Outcome o = Engine(std::move(r), Policy::defaults()).process("hello\n", "a.txt");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "blocked.name");
    CHECK(o.outputs.empty());
}
