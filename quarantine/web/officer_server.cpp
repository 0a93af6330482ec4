// The officer UI's HTTP(S) server: routing, sessions, CSRF, size and time limits and security headers.
// Pages are rendered by pages.cpp, account_pages.cpp and audit_page.cpp; every decision about who may
// do what is the review service's.
//
// Each connection is served by its own thread of the server's pool and nothing is held across requests:
// the database gives each thread its own connection, the session store and the audit log have their own
// short locks. A request body is read with a deadline, so a client that sends slowly ties up one thread
// for a bounded time and nobody else waits for it.
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
#include <Poco/ThreadPool.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <istream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "mugaika/quarantine/crypto.hpp"
#include "mugaika/quarantine/web.hpp"
#include "mugaika/visible_text.hpp"
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

// A form body must arrive within this time, whatever the per-read socket timeout lets a dripping client do.
constexpr auto body_deadline = std::chrono::seconds(20);
// Each read from the socket (headers included, Poco's own) waits at most this long.
constexpr int socket_timeout_seconds = 10;
constexpr int pool_threads = 16;

std::string cookie(const HTTPServerRequest& req, const std::string& name) {
    Poco::Net::NameValueCollection c;
    req.getCookies(c);
    return c.get(name, "");
}

// A JST calendar day as UTC epoch seconds of its start.
std::int64_t parse_day_jst(const std::string& s) {
    std::tm tm{};
    const char* end = ::strptime(s.c_str(), "%Y-%m-%d", &tm);
    if (!end || *end) return -1;
    return static_cast<std::int64_t>(::timegm(&tm)) - 9 * 3600;
}

std::string iso_utc(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return buf;
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

// Content-Disposition for a name that may be Japanese: an ASCII fallback plus RFC 5987 filename*. Bidi
// and control characters never reach the saved name (they would make it read as something else).
std::string disposition(const std::string& name) {
    std::string clean = without_hidden_characters(name, '_');
    std::string ascii;
    for (unsigned char c : clean) ascii.push_back(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? static_cast<char>(c) : '_');
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + url_encode(clean);
}

// Where a login (or a language switch) may send the person back to: a page of this UI, nothing else.
std::string safe_next(const std::string& next) {
    static const std::regex re(R"(^/(items(/[0-9A-Za-z-]{1,64})?|audit|users|account)?(\?[A-Za-z0-9=&%._~+-]{0,800})?$)");
    if (next.size() > 1000 || !std::regex_match(next, re)) return "";
    return next;
}

std::string trim(const std::string& s) {
    std::size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

struct OfficerServer::Impl {
    ReviewService& service;
    QuarantineConfig config;
    SessionStore sessions;
    Poco::ThreadPool pool{2, pool_threads, 60};
    std::unique_ptr<Poco::Net::HTTPServer> server;
    std::uint16_t bound_port = 0;
    bool tls = false;
    // Writes the summaries of throttled anonymous refusals once a minute, also when all is quiet.
    std::thread flusher;
    std::mutex flusher_mutex;
    std::condition_variable flusher_cv;
    bool stopping = false;

    Impl(ReviewService& s, const QuarantineConfig& c)
        : service(s),
          config(c),
          sessions(std::int64_t(c.session_idle_minutes) * 60, std::int64_t(c.session_max_hours) * 3600) {}

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
        // A refused or unfinished body may still be on the wire: close rather than read it as the next request.
        if (r.status == 413 || r.status == 408) resp.setKeepAlive(false);
        resp.sendBuffer(r.body.data(), r.body.size());
    }

    Reply redirect(const std::string& to) {
        Reply r;
        r.status = 303;
        r.location = to;
        return r;
    }

    // The pre-login token (login and enrolment forms) is bound to a pre-login cookie. An existing one is
    // kept: a browser fetches other things that land here too, and a new token each time would void the form.
    std::string pre_token(const HTTPServerRequest& req, Reply& r) {
        std::string current = cookie(req, pre_cookie);
        std::string pre = current.size() == 64 && is_hex(current) ? current : random_hex(32);
        r.cookies.push_back(set_cookie(pre_cookie, pre));
        return pre;
    }

    Reply login_form(const HTTPServerRequest& req, PageContext& pc, int status, const std::string& message,
                     bool error = true, const std::string& next = "") {
        Reply r;
        std::string pre = pre_token(req, r);
        r.status = status;
        pc.session = nullptr;
        r.body = login_page(pc, pre, message, error, safe_next(next));
        return r;
    }

    Reply error(const PageContext& pc, int status, const std::string& message) {
        Reply r;
        r.status = status;
        r.body = error_page(pc, status, message);
        return r;
    }

    Reply html(const std::string& body, int status = 200) {
        Reply r;
        r.status = status;
        r.body = body;
        return r;
    }

    std::string refusal_text(const PageContext& pc, const ReviewError& e) {
        return pc.lang == Lang::ja ? e.message_ja : e.message_ja + " (" + e.what() + ")";
    }

    void handle(HTTPServerRequest& req, HTTPServerResponse& resp) {
        Reply r;
        try {
            r = route(req);
        } catch (const ReviewError& e) {
            PageContext pc;
            r = error(pc, status_for(e), e.message_ja);
        } catch (const std::exception& e) {
            PageContext pc;
            try {
                // Rate-limited like anonymous refusals: a client that breaks requests must not fill the log.
                service.refused_anonymous("(server)", "http.error", e.what(), "web " + req.clientAddress().host().toString());
            } catch (...) {
            }
            r = error(pc, 500, "内部エラーが発生しました。管理者に連絡してください。");
        }
        send(resp, r);
    }

    enum class Body { ok, too_large, too_slow };

    // Bounded in size before and while it is read, and in time: one byte at a time from Poco's buffered
    // stream, so that the deadline is checked however slowly the bytes come.
    Body read_body(HTTPServerRequest& req, std::string& body) {
        const std::size_t limit = config.max_form_bytes;
        if (req.getContentLength64() > static_cast<std::int64_t>(limit)) return Body::too_large;
        auto deadline = std::chrono::steady_clock::now() + body_deadline;
        auto* in = req.stream().rdbuf();
        while (true) {
            if (std::chrono::steady_clock::now() > deadline) return Body::too_slow;
            int c;
            try {
                c = in->sbumpc();
            } catch (const Poco::Exception&) {
                return Body::too_slow;   // timed out, or the client went away mid-body
            }
            if (c == std::char_traits<char>::eof()) break;
            body.push_back(static_cast<char>(c));
            if (body.size() > limit) return Body::too_large;
        }
        return Body::ok;
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

        if (path.size() == 2 && path[0] == "static" && path[1] == "style.css") {
            Reply r;
            r.content_type = "text/css; charset=utf-8";
            r.body = stylesheet();
            return r;
        }
        if (path.size() == 1 && path[0] == "favicon.ico") return error(pc, 404, tr(pc.lang, "not_found"));
        if (path.size() == 1 && path[0] == "lang") {
            std::string back = safe_next(query["back"]);
            Reply r = redirect(back.empty() ? "/" : back);
            r.cookies.push_back(set_cookie(lang_cookie, query["to"] == "en" ? "en" : "ja"));
            return r;
        }

        // The session first (if any), so that a refusal below can name the person. A session whose
        // account changed (password, TOTP, role, disabled) ends here, whatever page it asks for.
        std::string ended_user, ended_why;
        std::optional<Session> session;
        std::string sid = cookie(req, session_cookie);
        if (!sid.empty()) session = sessions.get(sid, now, &ended_user, &ended_why);
        if (session && !service.session_valid(session->actor)) {
            sessions.destroy(session->id);
            ended_user = session->actor.name;
            ended_why = "credentials";
            session.reset();
        }
        const std::string who = session ? session->actor.name : "(anonymous)";

        std::string body;
        if (post) {
            Body b = read_body(req, body);
            if (b != Body::ok) {
                std::string why = b == Body::too_large ? "form body over " + std::to_string(config.max_form_bytes) +
                                                             " bytes (" + std::to_string(req.getContentLength64()) + " declared)"
                                                       : "form body not complete within the deadline";
                const char* action = b == Body::too_large ? "http.too_large" : "http.too_slow";
                if (session) service.refused(who, action, "", why, channel);
                else service.refused_anonymous(who, action, why, channel);
                pc.session = session ? &*session : nullptr;
                return error(pc, b == Body::too_large ? 413 : 408, tr(pc.lang, b == Body::too_large ? "too_large" : "too_slow"));
            }
        }
        auto form = parse_form(body);

        // Pages before sign-in: the login and the enrolment, their forms bound to the pre-login cookie.
        if (!path.empty() && (path[0] == "login" || path[0] == "enrol") && path.size() <= 2) {
            if (path[0] == "login" && path.size() == 1) return login(req, pc, post, form, query, session, channel, now);
            if (path[0] == "enrol") return enrol(req, pc, path, post, form, channel);
        }

        if (!session) {
            std::string next = post ? "" : uri;
            if (!ended_user.empty()) {
                const char* action = ended_why == "credentials" ? "session.ended" : "session.expired";
                std::string why = ended_why == "credentials" ? "password, TOTP, role or enabled state changed"
                                  : ended_why == "max"      ? "older than " + std::to_string(config.session_max_hours) + " hours"
                                                            : "idle for more than " + std::to_string(config.session_idle_minutes) + " minutes";
                service.refused(ended_user, action, "", why, channel);
                Reply r = login_form(req, pc, 401,
                                     tr(pc.lang, ended_why == "credentials" ? "session_ended"
                                                 : ended_why == "max"      ? "session_max"
                                                                           : "session_expired"),
                                     true, next);
                r.cookies.push_back(set_cookie(session_cookie, "", true));
                return r;
            }
            if (post) {
                service.refused_anonymous("(anonymous)", "http.unauthenticated",
                                          "POST " + raw_path.substr(0, 100) + " without a session", channel);
                return login_form(req, pc, 401, tr(pc.lang, "need_login"));
            }
            std::string back = safe_next(uri);
            return redirect(back.empty() || back == "/" ? "/login" : "/login?next=" + url_encode(back));
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
            if (path[0] == "account" && path.size() == 1 && !post) return html(account_page(pc, "", false));
            if (path[0] == "account" && path.size() == 2 && path[1] == "password" && post)
                return change_password(req, pc, actor, form);
            if (path[0] == "items" && path.size() == 1 && !post) return items(pc, actor, query);
            if (path[0] == "items" && path.size() == 2 && !post) {
                auto d = service.show(actor, path[1]);
                return html(detail_page(pc, d, service.release_kinds_for(d.item), sessions.take_flash(session->id, path[1]),
                                        false));
            }
            if (path[0] == "items" && path.size() == 3 && post) return item_action(pc, actor, path[1], path[2], form);
            if (path[0] == "audit" && path.size() == 1 && !post) return audit(pc, actor, query);
            if (path[0] == "users") return users(pc, actor, path, post, form);
        } catch (const ReviewError& e) {
            return error(pc, status_for(e), refusal_text(pc, e));
        }
        return error(pc, 404, tr(pc.lang, "not_found"));
    }

    Reply login(HTTPServerRequest& req, PageContext& pc, bool post, std::map<std::string, std::string>& form,
                std::map<std::string, std::string>& query, const std::optional<Session>& session,
                const std::string& channel, std::int64_t now) {
        if (!post) return login_form(req, pc, 200, "", true, query["next"]);
        std::string pre = cookie(req, pre_cookie);
        if (pre.empty() || !constant_time_equal(pre, form["csrf"])) {
            service.refused_anonymous(valid_user_name(form["user"]) ? form["user"] : "(anonymous)", "login.csrf",
                                      "login form token missing or wrong", channel);
            return login_form(req, pc, 403, tr(pc.lang, "csrf_missing"), true, form["next"]);
        }
        try {
            Actor a = service.login(form["user"], form["password"], form["totp"], channel);
            // A new session id at every login; a session this browser had before ends.
            if (session) sessions.destroy(session->id);
            Session s = sessions.create(a, now);
            std::string next = safe_next(form["next"]);
            Reply r = redirect(next.empty() ? "/" : next);
            r.cookies.push_back(set_cookie(session_cookie, s.id));
            r.cookies.push_back(set_cookie(pre_cookie, "", true));
            return r;
        } catch (const ReviewError& e) {
            return login_form(req, pc, 401, refusal_text(pc, e), true, form["next"]);
        }
    }

    Reply enrol(HTTPServerRequest& req, PageContext& pc, const std::vector<std::string>& path, bool post,
                std::map<std::string, std::string>& form, const std::string& channel) {
        pc.session = nullptr;
        Reply r;
        std::string pre = pre_token(req, r);
        if (!post) {
            if (path.size() != 1) return error(pc, 404, tr(pc.lang, "not_found"));
            r.body = enrol_start_page(pc, pre, "");
            return r;
        }
        std::string had = cookie(req, pre_cookie);
        if (had.empty() || !constant_time_equal(had, form["csrf"])) {
            service.refused_anonymous("(anonymous)", "login.csrf", "enrolment form token missing or wrong", channel);
            r.status = 403;
            r.body = enrol_start_page(pc, pre, tr(pc.lang, "csrf_missing"));
            return r;
        }
        const std::string user = form["user"], code = normalize_enrolment_code(form["code"]);
        try {
            if (path.size() == 1) {
                NewSecret s = service.begin_enrolment(user, code, channel);
                r.body = enrol_secret_page(pc, pre, user, code, s, "");
                return r;
            }
            if (path.size() == 2 && path[1] == "finish") {
                std::string message;
                if (form["password"] != form["password2"]) {
                    message = tr(pc.lang, "password_mismatch");
                } else {
                    try {
                        bool pending = service.finish_enrolment(user, code, form["password"], form["totp"], channel);
                        r.body = enrol_done_page(pc, pending);
                        return r;
                    } catch (const ReviewError& e) {
                        if (e.kind != ReviewError::bad_input && std::string(e.what()).find("app's code") == std::string::npos)
                            throw;
                        message = refusal_text(pc, e);
                    }
                }
                // A typo (passwords differ, too short, the app's code): the same secret again, with the message.
                NewSecret s = service.begin_enrolment(user, code, channel);
                r.status = 400;
                r.body = enrol_secret_page(pc, pre, user, code, s, message);
                return r;
            }
            return error(pc, 404, tr(pc.lang, "not_found"));
        } catch (const ReviewError& e) {
            r.status = status_for(e);
            r.body = enrol_start_page(pc, pre, refusal_text(pc, e));
            return r;
        }
    }

    Reply change_password(const HTTPServerRequest& req, PageContext& pc, const Actor& actor,
                          std::map<std::string, std::string>& form) {
        if (form["password"] != form["password2"]) return html(account_page(pc, tr(pc.lang, "password_mismatch"), true), 400);
        try {
            service.change_password(actor, form["current"], form["password"]);
        } catch (const ReviewError& e) {
            return html(account_page(pc, refusal_text(pc, e), true), status_for(e));
        }
        // The change ended every session of the account, this one too: sign in again.
        sessions.destroy(pc.session->id);
        Reply r = login_form(req, pc, 200, tr(pc.lang, "password_changed"), false);
        r.cookies.push_back(set_cookie(session_cookie, "", true));
        return r;
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
        auto list = service.list(actor, f);   // checks the role first
        return html(list_page(pc, list, q, service.store().facets()));
    }

    Reply audit(PageContext& pc, const Actor& actor, std::map<std::string, std::string>& q) {
        AuditQuery aq;
        aq.actor = q["actor"];
        aq.action = q["action"];
        aq.item = q["item"];
        aq.outcome = q["outcome"];
        if (auto t = parse_day_jst(q["from"]); t >= 0) aq.from_ts = iso_utc(t);
        if (auto t = parse_day_jst(q["to"]); t >= 0) aq.to_ts = iso_utc(t + 86400);
        std::size_t page_number = 1;
        try {
            page_number = std::clamp<std::size_t>(std::stoul(q["page"].empty() ? "1" : q["page"]), 1, 100000);
        } catch (...) {
        }
        aq.page = page_number;
        auto lines = service.audit_page(actor, aq);
        std::vector<Disposal> disposals;
        try {
            disposals = service.disposals(actor);
        } catch (const ReviewError&) {
            throw;
        } catch (const std::exception&) {
            // Its audit line could not be written (a damaged log): the page above says so already.
        }
        return html(audit_page(pc, lines, q, page_number, verify_audit_log(service.audit().file()), disposals));
    }

    static const ReleaseRequest* pending_of(const ItemDetail& d) {
        for (const auto& q : d.requests)
            if (q.state == "pending") return &q;
        return nullptr;
    }

    Reply item_action(PageContext& pc, const Actor& actor, const std::string& id, const std::string& verb,
                      std::map<std::string, std::string>& form) {
        try {
            std::string flash;
            if (verb == "request") {
                auto q = service.request_release(actor, id, form["kind"], form["reason"], form["password"]);
                flash = q.state == "approved" ? tr(pc.lang, "done_request_auto") + " " + tr(pc.lang, "released_to") + ": " +
                                                    q.released_to
                                              : tr(pc.lang, "done_request");
            } else if (verb == "approve" || verb == "reject") {
                Decision d{form["request"], form["kind"], form["note"], form["confirm_original"] == "yes"};
                if (verb == "approve" && d.kind == release_kind::original && !d.original_confirmed &&
                    actor.role == Role::approver) {
                    // The extra step the original needs: a page of its own, shown only for the request in view.
                    auto detail = service.show(actor, id);
                    const ReleaseRequest* q = pending_of(detail);
                    if (q && q->id == d.request_id && q->kind == d.kind)
                        return html(approve_confirm_page(pc, detail, *q, d.note));
                }
                if (verb == "approve")
                    flash = tr(pc.lang, "done_release") + " " + tr(pc.lang, "released_to") + ": " +
                            service.approve(actor, id, d);
                else {
                    service.reject(actor, id, d);
                    flash = tr(pc.lang, "done_reject");
                }
            } else if (verb == "delete") {
                if (form["confirm"] != "yes" && !trim(form["reason"]).empty() && actor.role == Role::officer)
                    return html(delete_confirm_page(pc, service.show(actor, id), form["reason"]));
                service.remove(actor, id, form["reason"]);
                flash = tr(pc.lang, "done_delete");
            } else if (verb == "download") {
                std::string bytes = service.download(actor, id, form["reason"]);
                auto item = service.store().find(id);
                Reply r;
                r.content_type = "application/octet-stream";
                r.disposition = disposition(safe_release_name(item ? item->name : "", id + ".bin"));
                r.body = std::move(bytes);
                return r;
            } else {
                return error(pc, 404, tr(pc.lang, "not_found"));
            }
            // The message travels in the session, for this item only: a link cannot fake it.
            sessions.set_flash(pc.session->id, flash, id);
            return redirect("/items/" + url_encode(id));
        } catch (const ReviewError& e) {
            // Show the refusal on the item's page when the item can be shown at all.
            if (e.kind == ReviewError::bad_input || e.kind == ReviewError::conflict || e.kind == ReviewError::denied) {
                if (valid_item_id(id) && actor.role != Role::admin) {
                    try {
                        auto d = service.show(actor, id);
                        return html(detail_page(pc, d, service.release_kinds_for(d.item), refusal_text(pc, e), true),
                                    status_for(e));
                    } catch (const ReviewError&) {
                    }
                }
            }
            return error(pc, status_for(e), refusal_text(pc, e));
        }
    }

    Reply users(PageContext& pc, const Actor& actor, const std::vector<std::string>& path, bool post,
                std::map<std::string, std::string>& form) {
        std::string message, block;
        bool is_error = false;
        int status = 200;
        if (!post) {
            if (path.size() != 1) return error(pc, 404, tr(pc.lang, "not_found"));
            message = sessions.take_flash(pc.session->id, "/users");
            return html(users_page(pc, service.accounts(actor), service.now(), message, false, ""));
        }
        try {
            if (path.size() == 2 && path[1] == "add") {
                auto role = parse_role(form["role"]);
                if (!role) throw ReviewError(ReviewError::bad_input, "役割を選んでください。", "no role");
                Enrolment e = service.add_user(actor, form["name"], *role);
                block = enrolment_block(pc, form["name"], e, service.role_needs_confirmation(*role));
            } else if (path.size() == 3) {
                const std::string& name = path[1];
                const std::string& verb = path[2];
                static const std::set<std::string> confirmed{"disable", "reset", "role", "confirm"};
                static const std::set<std::string> known{"disable", "enable", "reset", "role", "confirm", "cancel"};
                if (!known.contains(verb)) return error(pc, 404, tr(pc.lang, "not_found"));
                if (confirmed.contains(verb) && form["confirm"] != "yes") {
                    // A page of its own before anything that cannot simply be undone.
                    for (const auto& a : service.accounts(actor))
                        if (a.name == name) return html(user_confirm_page(pc, a, verb, verb == "role" ? form["role"] : ""));
                    throw ReviewError(ReviewError::not_found, "そのアカウントはありません。", "no such account");
                }
                if (verb == "disable" || verb == "enable") {
                    service.set_disabled(actor, name, verb == "disable");
                    message = tr(pc.lang, "done_user");
                } else if (verb == "reset") {
                    Enrolment e = service.reset_user(actor, name);
                    auto acc = service.users().find(name);
                    block = enrolment_block(pc, name, e, acc && acc->pending_role);
                } else if (verb == "role") {
                    auto role = parse_role(form["role"]);
                    if (!role) throw ReviewError(ReviewError::bad_input, "役割を選んでください。", "no role");
                    service.set_role(actor, name, *role);
                    auto acc = service.users().find(name);
                    message = tr(pc.lang, acc && acc->pending_role ? "done_role_pending" : "done_user");
                } else if (verb == "confirm") {
                    service.confirm_role(actor, name);
                    message = tr(pc.lang, "done_confirm");
                } else {
                    service.cancel_role(actor, name);
                    message = tr(pc.lang, "done_user");
                }
                if (block.empty()) {
                    sessions.set_flash(pc.session->id, message, "/users");
                    return redirect("/users");
                }
            } else {
                return error(pc, 404, tr(pc.lang, "not_found"));
            }
        } catch (const ReviewError& e) {
            message = refusal_text(pc, e);
            is_error = true;
            status = status_for(e);
        }
        // The enrolment code is shown in this answer only (never stored, never in a redirect).
        return html(users_page(pc, service.accounts(actor), service.now(), message, is_error, block), status);
    }

    void flush_loop() {
        std::unique_lock lock(flusher_mutex);
        while (!stopping) {
            flusher_cv.wait_for(lock, std::chrono::seconds(60), [&] { return stopping; });
            lock.unlock();
            try {
                service.flush_throttled(stopping);
            } catch (...) {
            }
            lock.lock();
        }
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
    params->setMaxThreads(pool_threads);
    params->setMaxQueued(64);
    params->setTimeout(Poco::Timespan(socket_timeout_seconds, 0));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(socket_timeout_seconds, 0));
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
        impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), impl_->pool, socket, params);
    } else {
        Poco::Net::ServerSocket socket(address, 64);
        impl_->bound_port = socket.address().port();
        impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), impl_->pool, socket, params);
    }
    impl_->server->start();
    impl_->stopping = false;
    impl_->flusher = std::thread([impl = impl_.get()] { impl->flush_loop(); });
}

void OfficerServer::stop() {
    if (impl_ && impl_->server) {
        impl_->server->stopAll(true);
        impl_->server.reset();
        impl_->pool.joinAll();
    }
    if (impl_ && impl_->flusher.joinable()) {
        {
            std::lock_guard g(impl_->flusher_mutex);
            impl_->stopping = true;
        }
        impl_->flusher_cv.notify_all();
        impl_->flusher.join();
    }
}

std::uint16_t OfficerServer::port() const { return impl_->bound_port; }
bool OfficerServer::tls() const { return impl_->tls; }

}  // namespace mugaika::quarantine
