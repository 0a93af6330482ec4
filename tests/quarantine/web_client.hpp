// A tiny browser for the officer UI's tests (a cookie jar and form posts over Poco's HTTP client), and a
// quarantine with its UI running on 127.0.0.1 and a free port.
#pragma once

#include <doctest/doctest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <cctype>
#include <map>
#include <optional>
#include <regex>
#include <string>

#include "mugaika/quarantine/web.hpp"
#include "quarantine_fixture.hpp"

namespace mugaika::test::web {

using namespace mugaika::quarantine;

struct Reply {
    int status = 0;
    std::string body, location, set_cookie, content_disposition, csp;
};

// A tiny browser: a cookie jar and form posts.
struct Client {
    std::uint16_t port;
    std::map<std::string, std::string> cookies;

    Reply send(const std::string& method, const std::string& path, const std::string& body = "",
               std::optional<std::int64_t> declared_length = std::nullopt) {
        Poco::Net::HTTPClientSession s("127.0.0.1", port);
        s.setTimeout(Poco::Timespan(15, 0));   // a server that blocks fails the test instead of hanging it
        Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        Poco::Net::NameValueCollection jar;
        for (const auto& [k, v] : cookies) jar.add(k, v);
        if (!jar.empty()) req.setCookies(jar);
        if (method == "POST") {
            req.setContentType("application/x-www-form-urlencoded");
            req.setContentLength64(declared_length.value_or(static_cast<std::int64_t>(body.size())));
        }
        auto& out = s.sendRequest(req);
        out << body;
        Poco::Net::HTTPResponse resp;
        auto& in = s.receiveResponse(resp);
        Reply r;
        r.status = resp.getStatus();
        Poco::StreamCopier::copyToString(in, r.body);
        r.location = resp.get("Location", "");
        r.content_disposition = resp.get("Content-Disposition", "");
        r.csp = resp.get("Content-Security-Policy", "");
        std::vector<Poco::Net::HTTPCookie> set;
        resp.getCookies(set);
        for (const auto& c : set) {
            if (c.getMaxAge() == 0) cookies.erase(c.getName());
            else cookies[c.getName()] = c.getValue();
        }
        if (resp.has("Set-Cookie")) r.set_cookie = resp.get("Set-Cookie");
        return r;
    }
    Reply get(const std::string& path) { return send("GET", path); }
    Reply post(const std::string& path, const std::map<std::string, std::string>& form) {
        auto enc = [](const std::string& v) {
            static constexpr char hex[] = "0123456789ABCDEF";
            std::string out;
            for (unsigned char ch : v) {
                if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') out.push_back(static_cast<char>(ch));
                else {
                    out.push_back('%');
                    out.push_back(hex[ch >> 4]);
                    out.push_back(hex[ch & 15]);
                }
            }
            return out;
        };
        std::string body;
        for (const auto& [k, v] : form) body += (body.empty() ? "" : "&") + enc(k) + "=" + enc(v);
        return send("POST", path, body);
    }
};

inline std::string csrf_in(const std::string& html) {
    std::smatch m;
    static const std::regex re("name=\"csrf\" value=\"([0-9a-f]+)\"");
    return std::regex_search(html, m, re) ? m[1].str() : "";
}

// The request id and kind an approval form on the page names (what the approver sees).
inline std::pair<std::string, std::string> decision_in(const std::string& html) {
    std::smatch m;
    static const std::regex re("/approve\"[^>]*>.*?name=\"request\" value=\"([0-9a-f]+)\">.*?name=\"kind\" value=\"([a-z]+)\"");
    if (!std::regex_search(html, m, re)) return {};
    return {m[1].str(), m[2].str()};
}

struct WebWorld {
    QuarantineWorld w;
    QuarantineConfig config;
    std::unique_ptr<OfficerServer> server;
    explicit WebWorld(std::size_t max_form = 4096) : w("", all_kinds()) {
        config.ui_host = "127.0.0.1";
        config.ui_port = 0;
        config.session_idle_minutes = 15;
        config.max_form_bytes = max_form;
        server = std::make_unique<OfficerServer>(*w.service, config);
        server->start();
    }
    Client client() { return Client{server->port(), {}}; }
    // Logs in through the form; returns the session's CSRF token (from the next page).
    std::string login(Client& c, const std::string& user, const std::string& password = "correct horse battery") {
        auto form = c.get("/login");
        REQUIRE(form.status == 200);
        w.clock += 30;
        auto r = c.post("/login", {{"csrf", csrf_in(form.body)}, {"user", user}, {"password", password},
                                   {"totp", w.code(user, w.clock)}});
        REQUIRE(r.status == 303);
        auto page = c.get(r.location);
        if (page.status == 303) page = c.get(page.location);
        return csrf_in(page.body);
    }
};


}  // namespace mugaika::test::web
