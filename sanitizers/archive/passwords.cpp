#include "passwords.hpp"

#include <algorithm>

#include "../text/charset.hpp"

namespace mugaika::archive {
namespace {

// ASCII blanks and the ideographic space (U+3000) at either end.
std::string trimmed(std::string s) {
    auto blank_at_end = [&] {
        if (s.empty()) return std::size_t{0};
        char c = s.back();
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return std::size_t{1};
        return s.ends_with("\xE3\x80\x80") ? std::size_t{3} : std::size_t{0};
    };
    auto blank_at_start = [&] {
        if (s.empty()) return std::size_t{0};
        char c = s.front();
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return std::size_t{1};
        return s.starts_with("\xE3\x80\x80") ? std::size_t{3} : std::size_t{0};
    };
    for (std::size_t n; (n = blank_at_end()) != 0;) s.resize(s.size() - n);
    for (std::size_t n; (n = blank_at_start()) != 0;) s.erase(0, n);
    return s;
}

void add(std::vector<std::string>& out, std::string key) {
    if (key.empty() || std::find(out.begin(), out.end(), key) != out.end()) return;
    out.push_back(std::move(key));
}

}  // namespace

std::vector<std::string> candidate_passwords(const ItemSecrets& secrets) {
    std::vector<std::string> out;
    std::size_t taken = 0;
    for (const auto& p : secrets.passwords) {
        if (p.empty() || p.size() > kMaxPasswordBytes) continue;
        if (++taken > kMaxSuppliedPasswords) break;
        std::string t = trimmed(p);
        add(out, p);
        add(out, t);
        for (const auto& s : {p, t})
            if (auto cp932 = charset::encode(s, "Shift_JIS"); cp932 && *cp932 != s) add(out, *cp932);
    }
    return out;
}

}  // namespace mugaika::archive
