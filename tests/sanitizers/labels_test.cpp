// One table of labels for the codes reports and screens show: every type of the catalogue and every
// reason code has Japanese words there, and the report takes its words from it.
#include <doctest/doctest.h>

#include <string>

#include "mugaika/file_type.hpp"
#include "mugaika/labels.hpp"
#include "mugaika/reasons.hpp"

using namespace mugaika;

TEST_CASE("labels: every file type of the catalogue has its label in the shared table") {
    for (const auto& t : file_types()) {
        CAPTURE(t.id);
        CHECK(labels::file_type_label(t.id) != t.id);   // an unknown id comes back as itself
        CHECK(labels::file_type_label(t.id, labels::Lang::en) != t.id);
        CHECK(label_ja(t) == labels::file_type_label(t.id));
    }
}

TEST_CASE("labels: every reason code has a label and the report's explanation comes from the table") {
    for (std::string_view code : {reason::unsupported, reason::blocked_type, reason::blocked_name, reason::blocked_mismatch,
                                  reason::malformed, reason::encrypted, reason::charset, reason::limit_size,
                                  reason::limit_depth, reason::limit_expanded, reason::limit_members, reason::limit_ratio,
                                  reason::limit_time, reason::limit_memory, reason::limit_pages, reason::limit_pixels,
                                  reason::child_held, reason::malware, reason::scan_failed, reason::worker_crash,
                                  reason::internal}) {
        CAPTURE(code);
        CHECK(labels::reason_label(code) != code);
        CHECK(reason::explain_ja(code) == labels::reason_message_ja(code));
    }
    CHECK(labels::reason_label("limit.future") == "処理の上限超過");   // a new code of a known family
    CHECK(labels::reason_label("something.new") == "something.new");  // shown as it is, never empty
}

TEST_CASE("labels: states, kinds, roles and audit actions have Japanese and English words") {
    for (auto table : {labels::item_states(), labels::request_states(), labels::release_kinds(), labels::roles(),
                       labels::audit_actions(), labels::audit_outcomes()})
        for (const auto& t : table) {
            CAPTURE(t.code);
            CHECK_FALSE(t.ja.empty());
            CHECK_FALSE(t.en.empty());
            CHECK(t.ja != t.code);
        }
    CHECK(labels::audit_action_label("release.approve") == "解放の承認");
    CHECK(labels::item_state_label("release_requested", labels::Lang::en) == "Release requested");
}
