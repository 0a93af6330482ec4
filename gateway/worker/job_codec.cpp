#include "job_codec.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace mugaika::worker {
namespace {

using nlohmann::json;

std::string_view mismatch_name(NameMismatch m) {
    switch (m) {
        case NameMismatch::rename: return "rename";
        case NameMismatch::block: return "block";
        case NameMismatch::keep: return "keep";
    }
    return "rename";
}

NameMismatch parse_mismatch(const std::string& s) {
    if (s == "rename") return NameMismatch::rename;
    if (s == "block") return NameMismatch::block;
    if (s == "keep") return NameMismatch::keep;
    throw std::runtime_error("bad name_mismatch");
}

json policy_json(const Policy& p) {
    const Limits& l = p.limits;
    json actions = json::object();
    for (const auto& [type, action] : p.actions) actions[type] = std::string(to_string(action));
    json options = json::object();
    for (const auto& [sanitizer, opts] : p.options)
        for (const auto& [key, value] : opts) options[sanitizer][key] = value;
    return {{"limits",
             {{"max_input_bytes", l.max_input_bytes},
              {"max_depth", l.max_depth},
              {"max_expanded_bytes", l.max_expanded_bytes},
              {"max_members", l.max_members},
              {"max_ratio", l.max_ratio},
              {"time_budget_ms", l.time_budget.count()}}},
            {"name_mismatch", mismatch_name(p.name_mismatch)},
            {"actions", actions},
            {"options", options}};
}

Policy parse_policy_json(const json& j) {
    Policy p;
    const json& l = j.at("limits");
    p.limits.max_input_bytes = l.at("max_input_bytes");
    p.limits.max_depth = l.at("max_depth");
    p.limits.max_expanded_bytes = l.at("max_expanded_bytes");
    p.limits.max_members = l.at("max_members");
    p.limits.max_ratio = l.at("max_ratio");
    p.limits.time_budget = std::chrono::milliseconds(l.at("time_budget_ms").get<long long>());
    p.name_mismatch = parse_mismatch(j.at("name_mismatch"));
    for (const auto& [type, action] : j.at("actions").items()) {
        auto a = parse_type_action(action.get<std::string>());
        if (!a) throw std::runtime_error("bad type action");
        p.actions[type] = *a;
    }
    for (const auto& [sanitizer, opts] : j.at("options").items())
        for (const auto& [key, value] : opts.items()) p.options[sanitizer][key] = value.get<std::string>();
    return p;
}

std::string_view kind_name(JobKind k) {
    switch (k) {
        case JobKind::disarm: return "disarm";
        case JobKind::detect: return "detect";
        case JobKind::selftest: return "selftest";
    }
    return "disarm";
}

void put_field(std::string& out, std::string_view field) {
    std::uint64_t len = field.size();
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(len >> (8 * i)));
    out += field;
}

std::string_view take_field(std::string_view& in) {
    if (in.size() < 8) throw std::runtime_error("job truncated");
    std::uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(in[i]);
    in.remove_prefix(8);
    if (len > in.size()) throw std::runtime_error("job field length");
    std::string_view f = in.substr(0, len);
    in.remove_prefix(len);
    return f;
}

}  // namespace

// Fields, each u64le-length-prefixed: header (JSON), name, one per password, the input's bytes.
// Names and passwords may be any bytes, so they stay out of the JSON.
std::string encode_job(const JobRequest& job) {
    json header{{"kind", kind_name(job.kind)},
                {"policy", policy_json(job.policy)},
                {"passwords", job.secrets.passwords.size()},
                {"test_hooks", job.test_hooks},
                {"converter", job.converter}};
    std::string out;
    put_field(out, header.dump());
    put_field(out, job.name);
    for (const auto& pw : job.secrets.passwords) put_field(out, pw);
    put_field(out, job.bytes);
    return out;
}

JobRequest decode_job(std::string_view in) {
    json h = json::parse(take_field(in));
    JobRequest job;
    std::string kind = h.at("kind");
    if (kind == "disarm") job.kind = JobKind::disarm;
    else if (kind == "detect") job.kind = JobKind::detect;
    else if (kind == "selftest") job.kind = JobKind::selftest;
    else throw std::runtime_error("bad job kind");
    job.policy = parse_policy_json(h.at("policy"));
    job.test_hooks = h.at("test_hooks");
    job.converter = h.value("converter", false);
    job.name = std::string(take_field(in));
    std::size_t passwords = h.at("passwords");
    if (passwords > 64) throw std::runtime_error("too many passwords");
    for (std::size_t i = 0; i < passwords; ++i) job.secrets.passwords.emplace_back(take_field(in));
    job.bytes = std::string(take_field(in));
    if (!in.empty()) throw std::runtime_error("trailing bytes after job");
    return job;
}

// A conversion request: header (JSON: source type, target, the largest answer wanted), then the
// document's bytes.
std::string encode_conversion(const ConversionAsk& ask) {
    json header{{"source", ask.source_type}, {"target", ask.target}, {"max_output", ask.max_output_bytes}};
    std::string out;
    put_field(out, header.dump());
    put_field(out, ask.bytes);
    return out;
}

ConversionAsk decode_conversion(std::string_view in) {
    json h = json::parse(take_field(in));
    ConversionAsk a;
    a.source_type = h.at("source").get<std::string>();
    a.target = h.at("target").get<std::string>();
    a.max_output_bytes = h.at("max_output").get<std::uint64_t>();
    a.bytes = std::string(take_field(in));
    if (!in.empty()) throw std::runtime_error("trailing bytes after conversion request");
    if (a.source_type.size() > 32 || a.target.size() > 32) throw std::runtime_error("bad conversion request");
    return a;
}

// The answer: "D" and the converted bytes, or "F" reason code \0 detail.
std::string encode_conversion_answer(const ConversionAnswer& a) {
    if (a.ok) return "D" + a.bytes;
    return "F" + a.code + std::string(1, '\0') + a.detail;
}

ConversionAnswer decode_conversion_answer(std::string_view in) {
    ConversionAnswer a;
    if (in.empty()) throw std::runtime_error("empty conversion answer");
    if (in[0] == 'D') {
        a.ok = true;
        a.bytes = std::string(in.substr(1));
        return a;
    }
    if (in[0] != 'F') throw std::runtime_error("bad conversion answer");
    auto nul = in.find('\0');
    if (nul == std::string_view::npos) throw std::runtime_error("bad conversion answer");
    a.code = std::string(in.substr(1, nul - 1));
    a.detail = std::string(in.substr(nul + 1));
    return a;
}

}  // namespace mugaika::worker
