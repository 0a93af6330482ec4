// The officer UI's HTTP(S) server: routing, sessions, CSRF, size limits and security headers. Pages are
// rendered by pages.cpp; every decision about who may do what is the review service's.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>

#include <ctime>
#include <istream>
#include <mutex>

#include "mugaika/quarantine/crypto.hpp"
#include "mugaika/quarantine/web.hpp"
#include "web_internal.hpp"

namespace mugaika::quarantine {
using namespace web;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

constexpr const char* session_cookie = "mq_session";
constexpr const char* pre_cookie = "mq_pre";
constexpr const char* lang_cookie = "mq_lang";

const char* stylesheet = R"(body{font-family:"Noto Sans CJK JP","IPAGothic",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#234;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
header h1{font-size:1.1em;margin:0}header a{color:#fff}nav{display:flex;gap:1em;align-items:center}
main{padding:1em}table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eef}.msg{padding:.6em;border-radius:4px}.msg.error{background:#fdd;border:1px solid #c66}.msg.ok{background:#dfd;border:1px solid #6a6}
form.action{margin:1em 0;padding:.6em;border:1px solid #ccc;background:#fff}form.danger{border-color:#c66}form.inline{display:inline}
.hint{margin:.2em 0;color:#555}label{margin-right:.6em}input[type=text],input[type=password]{min-width:14em}
form.login label{display:block;margin:.6em 0}.state.release_requested{font-weight:bold}.lang{margin-left:auto}
tr.denied{background:#fee}tr.error{background:#fdd}code{font-size:.85em;word-break:break-all}dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dl.meta dt{font-weight:bold}
)";

std::string cookie(const HTTPServerRequest& req, const std::string& name) {
    Poco::Net::NameValueCollection c;
    req.getCookies(c);
    return c.get(name, "");
}

std::int64_t parse_day_jst(const std::string& s) {
    std::tm tm{};
    const char* end = ::strptime(s.c_str(), "%Y-%m-%d", &tm);
    if (!end || *end) return -1;
    return static_cast<std::int64_t>(::timegm(&tm)) - 9 * 3600;
}

bool is_hex(const std::string& s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::vector<std::string> split_path(const std::string& raw) {
    std::vector<std::string> out;
    std::size_t i = 1;
    while (i <= raw.size()) {
        std::size_t slash = raw.find('/', i);
        std::string seg = raw.substr(i, slash == std::string::npos ? std::string::npos : slash - i);
        out.push_back(url_decode(seg));
        if (slash == std::string::npos) break;
        i = slash + 1;
    }
    while (!out.empty() && out.back().empty()) out.pop_back();
    return out;
}

int status_for(const ReviewError& e) {
    switch (e.kind) {
        case ReviewError::denied: return 403;
        case ReviewError::not_found: return 404;
        case ReviewError::bad_input: return 400;
        case ReviewError::conflict: return 409;
        case ReviewError::auth_failed: return 401;
        default: return 500;
    }
}

// Content-Disposition for a name that may be Japanese: an ASCII fallback plus RFC 5987 filename*.
std::string disposition(const std::string& name) {
    std::string ascii;
    for (unsigned char c : name) ascii.push_back(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? static_cast<char>(c) : '_');
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + url_encode(name);
}

}  // namespace

struct OfficerServer::Impl {
    ReviewService& service;
    QuarantineConfig config;
    SessionStore sessions;
    std::mutex mutex;   // the service's database session serves one request at a time
    std::unique_ptr<Poco::Net::HTTPServer> server;
    std::uint16_t bound_port = 0;
    bool tls = false;

    Impl(ReviewService& s, const QuarantineConfig& c)
        : service(s), config(c), sessions(std::int64_t(c.session_idle_minutes) * 60) {}

    struct Reply {
        int status = 200;
        std::string body, content_type = "text/html; charset=utf-8", location, disposition;
        std::vector<std::string> cookies;
    };

    std::string set_cookie(const std::string& name, const std::string& value, bool clear = false) const {
        // Secure always: on plain-HTTP loopback (tests) browsers treat 127.0.0.1/localhost as secure.
        return name + "=" + value + "; Path=/; HttpOnly; Secure; SameSite=Strict" + (clear ? "; Max-Age=0" : "");
    }

    void send(HTTPServerResponse& resp, const Reply& r) {
        resp.setStatus(static_cast<HTTPResponse::HTTPStatus>(r.status));
        resp.set("X-Content-Type-Options", "nosniff");
        resp.set("X-Frame-Options", "DENY");
        resp.set("Referrer-Policy", "no-referrer");
        resp.set("Cache-Control", "no-store");
        resp.set("Content-Security-Policy",
                 "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        if (tls) resp.set("Strict-Transport-Security", "max-age=31536000");
        for (const auto& c : r.cookies) resp.add("Set-Cookie", c);
        if (!r.location.empty()) resp.set("Location", r.location);
        if (!r.disposition.empty()) resp.set("Content-Disposition", r.disposition);
        resp.setContentType(r.content_type);
        // A refused body may still be on the wire: close rather than read it as the next request.
        if (r.status == 413) resp.setKeepAlive(false);
        resp.sendBuffer(r.body.data(), r.body.size());
    }

    Reply redirect(const std::string& to) {
        Reply r;
        r.status = 303;
        r.location = to;
        return r;
    }

    // The login form's token is bound to a pre-login cookie. An existing one is kept: a browser fetches
    // other things (a favicon) that land here too, and a new token each time would void the open form.
    Reply login_form(PageContext& pc, int status, const std::string& message, const std::string& current_pre = "") {
        Reply r;
        std::string pre = current_pre.size() == 64 && is_hex(current_pre) ? current_pre : random_hex(32);
        r.cookies.push_back(set_cookie(pre_cookie, pre));
        r.status = status;
        pc.session = nullptr;
        r.body = login_page(pc, pre, message);
        return r;
    }

    Reply error(const PageContext& pc, int status, const std::string& message) {
        Reply r;
        r.status = status;
        r.body = error_page(pc, status, message);
        return r;
    }

    std::string refusal_text(const PageContext& pc, const ReviewError& e) {
        return pc.lang == Lang::ja ? e.message_ja : e.message_ja + " (" + e.what() + ")";
    }

    void handle(HTTPServerRequest& req, HTTPServerResponse& resp) {
        std::lock_guard guard(mutex);
        Reply r;
        try {
            r = route(req);
        } catch (const ReviewError& e) {
            PageContext pc;
            r = error(pc, status_for(e), e.message_ja);
        } catch (const std::exception& e) {
            PageContext pc;
            try {
                service.refused("(server)", "http.error", "", e.what(), "web");
            } catch (...) {
            }
            r = error(pc, 500, "内部エラーが発生しました。管理者に連絡してください。");
        }
        send(resp, r);
    }

    Reply route(HTTPServerRequest& req) {
        const std::string channel = "web " + req.clientAddress().host().toString();
        const std::int64_t now = service.now();
        std::string uri = req.getURI();
        std::string raw_path = uri.substr(0, uri.find('?'));
        std::string raw_query = uri.find('?') == std::string::npos ? "" : uri.substr(uri.find('?') + 1);
        auto path = split_path(raw_path);
        auto query = parse_form(raw_query);
        const bool post = req.getMethod() == "POST";

        PageContext pc;
        pc.lang = cookie(req, lang_cookie) == "en" ? Lang::en : Lang::ja;
        pc.path = raw_path;
        pc.release_kinds = service.options().release_kinds;

        // Session first (if any), so that a refusal below can name the person.
        std::string expired_user;
        std::optional<Session> session;
        std::string sid = cookie(req, session_cookie);
        if (!sid.empty()) session = sessions.get(sid, now, &expired_user);
        std::string who = session ? session->actor.name : (expired_user.empty() ? "(anonymous)" : expired_user);

        // Bodies: bounded before they are read.
        std::string body;
        if (post) {
            std::int64_t declared = req.getContentLength64();
            std::size_t limit = config.max_form_bytes;
            bool too_big = declared > static_cast<std::int64_t>(limit);
            if (!too_big) {
                body.resize(limit + 1);
                req.stream().read(body.data(), static_cast<std::streamsize>(body.size()));
                body.resize(static_cast<std::size_t>(req.stream().gcount()));
                too_big = body.size() > limit;
            }
            if (too_big) {
                service.refused(who, "http.too_large", "", "form body over " + std::to_string(limit) + " bytes (" +
                                                               std::to_string(declared) + " declared)", channel);
                pc.session = session ? &*session : nullptr;
                return error(pc, 413, tr(pc.lang, "too_large"));
            }
        }
        auto form = parse_form(body);

        if (path.size() == 2 && path[0] == "static" && path[1] == "style.css") {
            Reply r;
            r.content_type = "text/css; charset=utf-8";
            r.body = stylesheet;
            return r;
        }
        if (path.size() == 1 && path[0] == "favicon.ico") return error(pc, 404, tr(pc.lang, "not_found"));
        if (path.size() == 1 && path[0] == "lang") {
            Reply r = redirect("/");
            r.cookies.push_back(set_cookie(lang_cookie, query["to"] == "en" ? "en" : "ja"));
            return r;
        }
        if (path.size() == 1 && path[0] == "login") {
            if (!post) return login_form(pc, 200, "", cookie(req, pre_cookie));
            std::string pre = cookie(req, pre_cookie);
            if (pre.empty() || !constant_time_equal(pre, form["csrf"])) {
                service.refused(valid_user_name(form["user"]) ? form["user"] : "(anonymous)", "login.csrf", "",
                                "login form token missing or wrong", channel);
                return login_form(pc, 403, tr(pc.lang, "csrf_missing"));
            }
            try {
                Actor a = service.login(form["user"], form["password"], form["totp"], channel);
                Session s = sessions.create(a, now);
                Reply r = redirect("/");
                r.cookies.push_back(set_cookie(session_cookie, s.id));
                r.cookies.push_back(set_cookie(pre_cookie, "", true));
                return r;
            } catch (const ReviewError& e) {
                return login_form(pc, 401, refusal_text(pc, e));
            }
        }

        if (!session) {
            if (!expired_user.empty()) {
                service.refused(expired_user, "session.expired", "", "idle for more than " +
                                std::to_string(config.session_idle_minutes) + " minutes", channel);
                return login_form(pc, 401, tr(pc.lang, "session_expired"));
            }
            if (post) {
                service.refused("(anonymous)", "http.unauthenticated", "", "POST " + raw_path + " without a session",
                                channel);
                return login_form(pc, 401, tr(pc.lang, "need_login"));
            }
            return redirect("/login");
        }
        Actor actor = session->actor;
        actor.channel = channel;
        pc.session = &*session;

        std::string item_for_audit = path.size() >= 2 && path[0] == "items" && valid_item_id(path[1]) ? path[1] : "";
        if (post && !constant_time_equal(session->csrf, form["csrf"])) {
            service.refused(actor.name, "http.csrf", item_for_audit,
                            form.contains("csrf") ? "CSRF token does not match the session" : "CSRF token missing",
                            channel);
            return error(pc, 403, tr(pc.lang, "csrf_missing"));
        }

        try {
            if (path.empty()) return redirect(actor.role == Role::admin ? "/users" : "/items");
            if (path[0] == "logout" && post) {
                service.logout(actor);
                sessions.destroy(session->id);
                Reply r = redirect("/login");
                r.cookies.push_back(set_cookie(session_cookie, "", true));
                return r;
            }
            if (path[0] == "items" && path.size() == 1 && !post) return items(pc, actor, query);
            if (path[0] == "items" && path.size() == 2 && !post) {
                static const std::map<std::string, std::string> done{{"request", "done_request"},
                                                                     {"approve", "done_release"},
                                                                     {"reject", "done_reject"},
                                                                     {"delete", "done_delete"}};
                auto it = done.find(query["done"]);
                Reply r;
                r.body = detail_page(pc, service.show(actor, path[1]), it == done.end() ? "" : tr(pc.lang, it->second),
                                     false);
                return r;
            }
            if (path[0] == "items" && path.size() == 3 && post) return item_action(pc, actor, path[1], path[2], form);
            if (path[0] == "audit" && path.size() == 1 && !post) {
                auto lines = service.audit_tail(actor, 300);
                auto disposals = service.disposals(actor);
                Reply r;
                r.body = audit_page(pc, lines, verify_audit_log(service.audit().file()), disposals);
                return r;
            }
            if (path[0] == "users") return users(pc, actor, path, post, form);
        } catch (const ReviewError& e) {
            return error(pc, status_for(e), refusal_text(pc, e));
        }
        return error(pc, 404, tr(pc.lang, "not_found"));
    }

    Reply items(PageContext& pc, const Actor& actor, std::map<std::string, std::string>& q) {
        ItemFilter f;
        f.section = q["section"];
        f.party = q["party"];
        f.file_type = q["type"];
        f.reason = q["reason"];
        f.state = q["state"];
        if (auto t = parse_day_jst(q["from"]); t >= 0) f.held_from = t;
        if (auto t = parse_day_jst(q["to"]); t >= 0) f.held_to = t + 86400;
        Reply r;
        r.body = list_page(pc, service.list(actor, f), q);
        return r;
    }

    Reply item_action(PageContext& pc, const Actor& actor, const std::string& id, const std::string& verb,
                      std::map<std::string, std::string>& form) {
        try {
            if (verb == "request") service.request_release(actor, id, form["kind"], form["reason"], form["password"]);
            else if (verb == "approve") service.approve(actor, id, form["note"]);
            else if (verb == "reject") service.reject(actor, id, form["note"]);
            else if (verb == "delete") service.remove(actor, id, form["reason"]);
            else if (verb == "download") {
                std::string bytes = service.download(actor, id, form["reason"]);
                auto item = service.store().find(id);
                Reply r;
                r.content_type = "application/octet-stream";
                r.disposition = disposition(safe_release_name(item ? item->name : "", id + ".bin"));
                r.body = std::move(bytes);
                return r;
            } else
                return error(pc, 404, tr(pc.lang, "not_found"));
            return redirect("/items/" + url_encode(id) + "?done=" + verb);
        } catch (const ReviewError& e) {
            // Show the refusal on the item's page when the item can be shown at all.
            if (e.kind == ReviewError::bad_input || e.kind == ReviewError::conflict || e.kind == ReviewError::denied) {
                if (valid_item_id(id) && actor.role != Role::admin) {
                    try {
                        Reply r;
                        r.status = status_for(e);
                        r.body = detail_page(pc, service.show(actor, id), refusal_text(pc, e), true);
                        return r;
                    } catch (const ReviewError&) {
                    }
                }
            }
            return error(pc, status_for(e), refusal_text(pc, e));
        }
    }

    Reply users(PageContext& pc, const Actor& actor, const std::vector<std::string>& path, bool post,
                std::map<std::string, std::string>& form) {
        std::string message, secret;
        bool is_error = false;
        int status = 200;
        if (post) {
            try {
                if (path.size() == 2 && path[1] == "add") {
                    auto role = parse_role(form["role"]);
                    if (!role) throw ReviewError(ReviewError::bad_input, "役割を選んでください。", "no role");
                    NewSecret s = service.add_user(actor, form["name"], *role, form["password"]);
                    secret = "<div class=\"msg ok\"><p>" + tr(pc.lang, "secret_once") + "</p><p><code id=\"new-secret\">" +
                             html_escape(s.base32) + "</code></p><p><code>" + html_escape(s.uri) + "</code></p></div>";
                } else if (path.size() == 3 && (path[2] == "disable" || path[2] == "enable")) {
                    service.set_disabled(actor, path[1], path[2] == "disable");
                } else if (path.size() == 3 && path[2] == "totp-reset") {
                    NewSecret s = service.reset_totp(actor, path[1]);
                    secret = "<div class=\"msg ok\"><p>" + tr(pc.lang, "secret_once") + "</p><p><code id=\"new-secret\">" +
                             html_escape(s.base32) + "</code></p></div>";
                } else {
                    return error(pc, 404, tr(pc.lang, "not_found"));
                }
                message = tr(pc.lang, "done_user");
            } catch (const ReviewError& e) {
                message = refusal_text(pc, e);
                is_error = true;
                status = status_for(e);
            }
        } else if (path.size() != 1) {
            return error(pc, 404, tr(pc.lang, "not_found"));
        }
        Reply r;
        r.status = status;
        r.body = users_page(pc, service.accounts(actor), service.now(), message, is_error, secret);
        return r;
    }
};

namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(OfficerServer::Impl& impl) : impl_(impl) {}
    void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override { impl_.handle(req, resp); }

private:
    OfficerServer::Impl& impl_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(OfficerServer::Impl& impl) : impl_(impl) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Handler(impl_); }

private:
    OfficerServer::Impl& impl_;
};

}  // namespace

OfficerServer::OfficerServer(ReviewService& service, const QuarantineConfig& config)
    : impl_(std::make_unique<Impl>(service, config)) {
    impl_->tls = !config.tls_cert.empty();
    if (!impl_->tls && !is_loopback_host(config.ui_host))
        throw QuarantineConfigError(config.source + ": [officer_ui] listens on " + config.ui_host +
                                    " without tls_cert/tls_key; plain HTTP is allowed on loopback only");
}

OfficerServer::~OfficerServer() { stop(); }

void OfficerServer::start() {
    const auto& c = impl_->config;
    Poco::Net::SocketAddress address(c.ui_host, c.ui_port);
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(8);
    params->setMaxQueued(64);
    params->setTimeout(Poco::Timespan(30, 0));
    params->setKeepAlive(true);
    if (impl_->tls) {
        static std::once_flag ssl_once;
        std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(
            Poco::Net::Context::SERVER_USE, c.tls_key.string(), c.tls_cert.string(), "", Poco::Net::Context::VERIFY_NONE,
            9, false, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5:!RC4:!3DES");
        ctx->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        Poco::Net::SecureServerSocket socket(address, 64, ctx);
        impl_->bound_port = socket.address().port();
        impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), socket, params);
    } else {
        Poco::Net::ServerSocket socket(address, 64);
        impl_->bound_port = socket.address().port();
        impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), socket, params);
    }
    impl_->server->start();
}

void OfficerServer::stop() {
    if (impl_ && impl_->server) {
        impl_->server->stopAll(true);
        impl_->server.reset();
    }
}

std::uint16_t OfficerServer::port() const { return impl_->bound_port; }
bool OfficerServer::tls() const { return impl_->tls; }

}  // namespace mugaika::quarantine
