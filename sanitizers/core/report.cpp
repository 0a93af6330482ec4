#include "mugaika/report.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <cstring>
#include <map>
#include <stdexcept>

#include "mugaika/file_type.hpp"
#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika {

using nlohmann::ordered_json;

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

namespace {

Verdict parse_verdict(const std::string& s) {
    if (s == "released") return Verdict::released;
    if (s == "disarmed") return Verdict::disarmed;
    if (s == "quarantined") return Verdict::quarantined;
    throw std::runtime_error("bad verdict " + s);
}

Action parse_action(const std::string& s) {
    for (Action a : {Action::removed, Action::converted, Action::renamed, Action::blocked, Action::noted})
        if (to_string(a) == s) return a;
    throw std::runtime_error("bad action " + s);
}

// Text in an outcome may come from outside (a file name from a share, a member name, a detail quoting
// the input): JSON needs valid UTF-8, so whatever is not becomes U+FFFD here, in one place.
std::string u8(std::string_view s) { return valid_utf8(s); }

ordered_json finding_json(const Finding& f) {
    return {{"where", u8(f.where)}, {"kind", f.kind}, {"action", to_string(f.action)}, {"detail", u8(f.detail)}, {"ja", u8(f.ja)}};
}

std::string_view type_label(std::string_view id) {
    const FileType* t = find_file_type(id);
    return label_ja(t ? *t : unknown_file_type());
}

// Everything but the output bytes; shared by the report and the worker codec.
ordered_json outcome_json(const Outcome& o, bool with_summary) {
    ordered_json j;
    j["schema"] = report_schema;
    j["input"] = {{"name", display_name(o.input_name)}, {"size", o.input_size}, {"sha256", o.input_sha256}};
    j["detected_type"] = o.detected_type;
    j["magic"] = u8(o.magic_description);
    j["verdict"] = to_string(o.verdict);
    if (o.quarantined())
        j["reason"] = {{"code", o.reason}, {"message_ja", reason::explain_ja(o.reason)}, {"detail", u8(o.reason_detail)}};
    else
        j["reason"] = nullptr;
    j["outputs"] = ordered_json::array();
    for (const auto& out : o.outputs)
        j["outputs"].push_back({{"name", u8(out.name)}, {"type", out.type}, {"size", out.bytes.size()},
                                {"sha256", sha256_hex(out.bytes)}});
    j["findings"] = ordered_json::array();
    for (const auto& f : o.findings) j["findings"].push_back(finding_json(f));
    j["children"] = ordered_json::array();
    for (const auto& c : o.children)
        j["children"].push_back({{"where", u8(c.where)}, {"name", u8(c.name)}, {"type", c.type},
                                 {"verdict", to_string(c.verdict)}, {"reason", c.reason}});
    j["held"] = ordered_json::array();
    for (const auto& h : o.held)
        j["held"].push_back({{"where", u8(h.where)}, {"name", u8(h.name)}, {"type", h.type}, {"reason", h.reason},
                             {"detail", u8(h.detail)}});
    if (!o.about.empty()) j["about"] = {{"subject", u8(o.about.subject)}, {"from", u8(o.about.from)}};
    if (with_summary) j["summary_ja"] = summary_ja(o);
    j["elapsed_ms"] = o.elapsed_ms;
    return j;
}

void put_u64(std::string& s, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t get_u64(std::string_view& s) {
    if (s.size() < 8) throw std::runtime_error("truncated outcome");
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t(static_cast<unsigned char>(s[i])) << (8 * i);
    s.remove_prefix(8);
    return v;
}

std::string_view get_bytes(std::string_view& s) {
    std::uint64_t n = get_u64(s);
    if (n > s.size()) throw std::runtime_error("truncated outcome");
    auto out = s.substr(0, n);
    s.remove_prefix(n);
    return out;
}

}  // namespace

ordered_json to_report_json(const Outcome& o) { return outcome_json(o, true); }

std::string summary_ja(const Outcome& o) {
    std::string label(type_label(o.detected_type));
    if (o.verdict == Verdict::quarantined)
        return "保留しました(" + label + "): " + std::string(reason::explain_ja(o.reason));

    std::string s = o.verdict == Verdict::released ? "問題は見つからず、そのまま通過させました(" + label + ")。"
                                                   : "無害化しました(" + label + ")。";
    // Distinct Japanese notes of the findings that changed something, most frequent first.
    std::map<std::string, int> counts;
    std::vector<std::string> order;
    for (const auto& f : o.findings) {
        if (f.action == Action::noted || f.ja.empty()) continue;
        if (counts[f.ja]++ == 0) order.push_back(f.ja);
    }
    for (std::size_t i = 0; i < order.size() && i < 3; ++i) {
        s += "\n・" + order[i];
        if (counts[order[i]] > 1) s += "(" + std::to_string(counts[order[i]]) + "件)";
    }
    if (order.size() > 3) s += "\n・ほか" + std::to_string(order.size() - 3) + "種類の対処";
    if (!o.held.empty())
        s += "\n・含まれるファイルのうち" + std::to_string(o.held.size()) + "件は無害化できず保留しました。";
    return s;
}

std::string encode_outcome(const Outcome& o) {
    std::string meta = outcome_json(o, false).dump();
    std::string out = "MGKO1";
    put_u64(out, meta.size());
    out += meta;
    put_u64(out, o.outputs.size());
    for (const auto& x : o.outputs) {
        put_u64(out, x.bytes.size());
        out += x.bytes;
    }
    return out;
}

Outcome decode_outcome(std::string_view s) {
    if (!s.starts_with("MGKO1")) throw std::runtime_error("not an encoded outcome");
    s.remove_prefix(5);
    auto j = ordered_json::parse(get_bytes(s));
    Outcome o;
    o.input_name = j.at("input").at("name");
    o.input_size = j.at("input").at("size");
    o.input_sha256 = j.at("input").at("sha256");
    o.detected_type = j.at("detected_type");
    o.magic_description = j.at("magic");
    o.verdict = parse_verdict(j.at("verdict"));
    if (!j.at("reason").is_null()) {
        o.reason = j["reason"].at("code");
        o.reason_detail = j["reason"].at("detail");
    }
    for (const auto& f : j.at("findings"))
        o.findings.push_back({f.at("where"), f.at("kind"), parse_action(f.at("action")), f.at("detail"), f.at("ja")});
    for (const auto& c : j.at("children"))
        o.children.push_back({c.at("where"), c.at("name"), c.at("type"), parse_verdict(c.at("verdict")), c.at("reason")});
    for (const auto& h : j.at("held"))
        o.held.push_back({h.at("where"), h.at("name"), h.at("type"), h.at("reason"), h.at("detail")});
    if (j.contains("about")) o.about = {j["about"].at("subject"), j["about"].at("from")};
    o.elapsed_ms = j.at("elapsed_ms");
    const auto& outs = j.at("outputs");
    if (get_u64(s) != outs.size()) throw std::runtime_error("output count mismatch");
    for (const auto& meta : outs) {
        Output out{meta.at("name"), meta.at("type"), std::string(get_bytes(s))};
        if (out.bytes.size() != meta.at("size").get<std::size_t>() || sha256_hex(out.bytes) != meta.at("sha256"))
            throw std::runtime_error("output bytes do not match their digest");
        o.outputs.push_back(std::move(out));
    }
    if (!s.empty()) throw std::runtime_error("trailing bytes after outcome");
    return o;
}

}  // namespace mugaika
