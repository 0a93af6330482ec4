// Sign-in, self-service enrolment (a one-time code, the person's own password and authenticator app), the
// person's own password, and the admins' account pages. An admin sees enrolment codes, never anyone's
// password or TOTP secret.
#include "mugaika/quarantine/qr.hpp"
#include "web_internal.hpp"

namespace mugaika::quarantine::web {
namespace {

std::string pre_field(const std::string& token) { return hidden("csrf", token); }

// "T26H BT65 UIAS ...": easier to type from the screen; authenticator apps ignore the spaces.
std::string grouped(const std::string& base32) {
    std::string out;
    for (std::size_t i = 0; i < base32.size(); ++i) {
        if (i && i % 4 == 0) out.push_back(' ');
        out.push_back(base32[i]);
    }
    return out;
}

std::string password_input(const char* name, const char* id, const char* autocomplete, bool min12) {
    return std::string("<input type=\"password\" name=\"") + name + "\" id=\"" + id + "\" autocomplete=\"" + autocomplete +
           "\" maxlength=\"1024\"" + (min12 ? " minlength=\"12\"" : "") + " required>";
}

std::string totp_input(const char* id) {
    return std::string("<input type=\"text\" name=\"totp\" id=\"") + id +
           "\" inputmode=\"numeric\" pattern=\"[0-9]{6}\" maxlength=\"6\" autocomplete=\"one-time-code\" required>";
}

std::string enrolment_state(const PageContext& c, const Account& a, std::int64_t now) {
    if (a.enrolled) return tr(c.lang, "enrolled") + " <small>(" + format_time(a.enrolled_at) + ")</small>";
    if (a.enrol_expires > now) return tr(c.lang, "enrol_waiting") + " <small>(" + tr(c.lang, "until") + " " +
                                      format_time(a.enrol_expires) + ")</small>";
    return "<span class=\"danger-text\">" + tr(c.lang, "enrol_expired") + "</span>";
}

std::string user_button(const PageContext& c, const Account& a, const std::string& verb, const std::string& label,
                        const std::string& extra = "") {
    return "<form method=\"post\" action=\"/users/" + url_encode(a.name) + "/" + verb + "\" class=\"inline\">" +
           csrf_field(c) + extra + "<button type=\"submit\" id=\"" + verb + "-" + html_escape(a.name) + "\">" + label +
           "</button></form>";
}

std::string role_select(const PageContext& c, const std::string& name, const std::string& id, Role current) {
    std::string s = "<select name=\"" + name + "\" id=\"" + id + "\">";
    for (Role r : {Role::officer, Role::approver, Role::auditor, Role::admin})
        s += "<option value=\"" + to_string(r) + "\"" + (r == current ? " selected" : "") + ">" + role_label(c.lang, r) +
             "</option>";
    return s + "</select>";
}

}  // namespace

std::string login_page(const PageContext& c, const std::string& pre_token, const std::string& message, bool error,
                       const std::string& next) {
    std::string body = message_box(message, error);
    body += "<form method=\"post\" action=\"/login\" class=\"login\">" + pre_field(pre_token) + hidden("next", next) +
            "<label>" + tr(c.lang, "user") +
            "<input type=\"text\" name=\"user\" id=\"user\" autocomplete=\"username\" maxlength=\"32\" required></label>"
            "<label>" + tr(c.lang, "password") + password_input("password", "password", "current-password", false) +
            "</label><label>" + tr(c.lang, "totp") + totp_input("totp") + "</label>"
            "<button type=\"submit\" id=\"login-button\">" + tr(c.lang, "login") + "</button></form>"
            "<p class=\"hint\"><a href=\"/enrol\" id=\"enrol-link\">" + tr(c.lang, "enrol_link") + "</a></p>";
    return page(c, tr(c.lang, "login"), body, "narrow");
}

std::string enrol_start_page(const PageContext& c, const std::string& pre_token, const std::string& message) {
    std::string body = message_box(message, true);
    body += "<p class=\"hint\">" + tr(c.lang, "enrol_intro") + "</p>";
    body += "<form method=\"post\" action=\"/enrol\" class=\"login\">" + pre_field(pre_token) + "<label>" +
            tr(c.lang, "user") +
            "<input type=\"text\" name=\"user\" id=\"enrol-user\" autocomplete=\"username\" maxlength=\"32\" required></label>"
            "<label>" + tr(c.lang, "enrol_code") +
            "<input type=\"text\" name=\"code\" id=\"enrol-code\" autocomplete=\"off\" maxlength=\"40\" required></label>"
            "<button type=\"submit\" id=\"enrol-button\">" + tr(c.lang, "next_step") + "</button></form>";
    return page(c, tr(c.lang, "enrol"), body, "narrow");
}

std::string enrol_secret_page(const PageContext& c, const std::string& pre_token, const std::string& user,
                              const std::string& code, const NewSecret& secret, const std::string& message) {
    std::string body = message_box(message, true);
    body += "<ol class=\"steps\"><li>" + tr(c.lang, "enrol_step_app") + "<div class=\"qr-box\">" + qr_svg(secret.uri) +
            "<p>" + tr(c.lang, "enrol_secret_text") + "<br><code id=\"totp-secret\" class=\"secret\">" +
            html_escape(grouped(secret.base32)) + "</code></p></div></li>";
    body += "<li>" + tr(c.lang, "enrol_step_password") + "<form method=\"post\" action=\"/enrol/finish\" class=\"login\">" +
            pre_field(pre_token) + hidden("user", user) + hidden("code", code) + "<label>" + tr(c.lang, "new_password") +
            password_input("password", "new-password", "new-password", true) + "</label><label>" +
            tr(c.lang, "new_password_again") + password_input("password2", "new-password2", "new-password", true) +
            "</label><label>" + tr(c.lang, "totp_from_app") + totp_input("enrol-totp") + "</label>"
            "<button type=\"submit\" id=\"enrol-finish-button\">" + tr(c.lang, "enrol_finish") + "</button></form></li></ol>";
    return page(c, tr(c.lang, "enrol") + ": " + user, body, "narrow");
}

std::string enrol_done_page(const PageContext& c, bool role_pending) {
    std::string body = message_box(tr(c.lang, role_pending ? "enrol_done_pending" : "enrol_done"), false);
    body += "<p><a href=\"/login\" id=\"to-login\">" + tr(c.lang, "login") + "</a></p>";
    return page(c, tr(c.lang, "enrol"), body, "narrow");
}

std::string account_page(const PageContext& c, const std::string& message, bool error) {
    const Actor& a = c.session->actor;
    std::string body = message_box(message, error);
    body += "<dl class=\"meta\"><dt>" + tr(c.lang, "user") + "</dt><dd>" + html_escape(a.name) + "</dd><dt>" +
            tr(c.lang, "role") + "</dt><dd>" + role_label(c.lang, a.role) + "</dd></dl>";
    body += "<h3>" + tr(c.lang, "change_password") + "</h3><p class=\"hint\">" + tr(c.lang, "change_password_hint") +
            "</p><form method=\"post\" action=\"/account/password\" class=\"login\">" + csrf_field(c) + "<label>" +
            tr(c.lang, "current_password") + password_input("current", "current-password", "current-password", false) +
            "</label><label>" + tr(c.lang, "new_password") +
            password_input("password", "new-password", "new-password", true) + "</label><label>" +
            tr(c.lang, "new_password_again") + password_input("password2", "new-password2", "new-password", true) +
            "</label><button type=\"submit\" id=\"change-password-button\">" + tr(c.lang, "change_password") +
            "</button></form><p class=\"hint\">" + tr(c.lang, "factor_reset_hint") + "</p>";
    return page(c, tr(c.lang, "account"), body, "narrow");
}

std::string enrolment_block(const PageContext& c, const std::string& user, const Enrolment& e, bool role_pending) {
    std::string s = "<div class=\"msg ok enrolment\" role=\"status\"><p>" + tr(c.lang, "enrol_code_for") + " <strong>" +
                    html_escape(user) + "</strong></p><p class=\"code\"><code id=\"enrolment-code\">" +
                    html_escape(e.code) + "</code></p><p>" + tr(c.lang, "until") + " " + format_time(e.expires) + "</p><p>" +
                    tr(c.lang, "enrol_code_hint") + "</p>";
    if (role_pending) s += "<p><strong>" + tr(c.lang, "role_pending_hint") + "</strong></p>";
    return s + "</div>";
}

std::string users_page(const PageContext& c, const std::vector<Account>& accounts, std::int64_t now,
                       const std::string& message, bool error, const std::string& enrolment) {
    const std::string& me = c.session->actor.name;
    std::string body = message_box(message, error) + enrolment;
    body += "<table class=\"users\"><colgroup><col class=\"c-user\"><col class=\"c-role\"><col class=\"c-enrol\">"
            "<col class=\"c-status\"><col></colgroup><thead><tr><th>" + tr(c.lang, "user") + "</th><th>" +
            tr(c.lang, "role") + "</th><th>" + tr(c.lang, "enrolment") + "</th><th>" + tr(c.lang, "status") +
            "</th><th>" + tr(c.lang, "operations") + "</th></tr></thead><tbody>";
    for (const auto& a : accounts) {
        std::string status = a.disabled ? tr(c.lang, "disabled") : tr(c.lang, "active");
        if (a.locked_until > now) status += " / " + tr(c.lang, "locked");
        std::string role = role_label(c.lang, a.role);
        if (a.pending_role)
            role += "<br><span class=\"pending-role\">" + tr(c.lang, "awaiting") + ": " +
                    role_label(c.lang, *a.pending_role) + " <small>(" + tr(c.lang, "granted_by") + " " +
                    html_escape(a.pending_by) + ")</small></span>";
        body += "<tr id=\"user-" + html_escape(a.name) + "\"><td>" + html_escape(a.name) + "</td><td>" + role +
                "</td><td>" + enrolment_state(c, a, now) + "</td><td>" + status + "</td><td class=\"ops\">";
        if (a.name != me) {
            if (a.pending_role && a.pending_by != me) body += user_button(c, a, "confirm", tr(c.lang, "confirm_grant")) + " ";
            if (a.pending_role) body += user_button(c, a, "cancel", tr(c.lang, "cancel_grant")) + " ";
            body += "<form method=\"post\" action=\"/users/" + url_encode(a.name) + "/role\" class=\"inline\">" +
                    csrf_field(c) + role_select(c, "role", "role-" + html_escape(a.name), a.pending_role.value_or(a.role)) +
                    "<button type=\"submit\">" + tr(c.lang, "change_role") + "</button></form> ";
            body += user_button(c, a, a.disabled ? "enable" : "disable", tr(c.lang, a.disabled ? "enable" : "disable")) + " ";
            body += user_button(c, a, "reset", tr(c.lang, "reset_factors"));
        } else {
            body += "<small>" + tr(c.lang, "self_account") + "</small>";
        }
        body += "</td></tr>";
    }
    body += "</tbody></table><h3>" + tr(c.lang, "add_user") + "</h3><p class=\"hint\">" + tr(c.lang, "add_user_hint") +
            "</p><form method=\"post\" action=\"/users/add\" class=\"action\">" + csrf_field(c) + "<label>" +
            tr(c.lang, "user") + " <input type=\"text\" name=\"name\" id=\"add-name\" maxlength=\"32\" required></label> <label>" +
            tr(c.lang, "role") + " " + role_select(c, "role", "add-role", Role::officer) +
            "</label> <button type=\"submit\" id=\"add-button\">" + tr(c.lang, "add_user") + "</button></form>";
    return page(c, tr(c.lang, "users"), body, "wide");
}

std::string user_confirm_page(const PageContext& c, const Account& a, const std::string& verb, const std::string& role) {
    std::string text = tr(c.lang, "confirm_" + verb);
    std::string body = "<div class=\"pending" + std::string(verb == "confirm" ? "" : " danger") + "\"><p class=\"warn-text\">" +
                       text + "</p><dl class=\"meta\"><dt>" + tr(c.lang, "user") + "</dt><dd>" + html_escape(a.name) +
                       "</dd><dt>" + tr(c.lang, "role") + "</dt><dd>" + role_label(c.lang, a.role) + "</dd>";
    if (a.pending_role)
        body += "<dt>" + tr(c.lang, "awaiting") + "</dt><dd>" + role_label(c.lang, *a.pending_role) + " (" +
                tr(c.lang, "granted_by") + " " + html_escape(a.pending_by) + ", " + format_time(a.pending_at) + ")</dd>";
    if (!role.empty()) {
        auto r = parse_role(role);
        body += "<dt>" + tr(c.lang, "new_role") + "</dt><dd>" + (r ? role_label(c.lang, *r) : html_escape(role)) + "</dd>";
    }
    body += "<dt>" + tr(c.lang, "enrolment") + "</dt><dd>" +
            (a.enrolled ? tr(c.lang, "enrolled") + " (" + format_time(a.enrolled_at) + ")" : tr(c.lang, "not_enrolled")) +
            "</dd></dl></div>";
    body += "<form method=\"post\" action=\"/users/" + url_encode(a.name) + "/" + html_escape(verb) + "\" class=\"action" +
            std::string(verb == "confirm" ? "" : " danger") + "\">" + csrf_field(c) + hidden("confirm", "yes") +
            (role.empty() ? "" : hidden("role", role)) + "<button type=\"submit\" id=\"confirm-" + html_escape(verb) +
            "-button\">" + tr(c.lang, "do_" + verb) + "</button> <a href=\"/users\">" + tr(c.lang, "cancel") + "</a></form>";
    return page(c, tr(c.lang, "confirm_title"), body, "narrow");
}

}  // namespace mugaika::quarantine::web
