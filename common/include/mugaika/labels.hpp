// The words people read for the codes the gateway writes: reason codes, file types, the states of held
// items and of release requests, release kinds, roles, audit actions and outcomes. One table, Japanese
// first: the sanitizers' reports (a reason's explanation, the type in the summary), the officer UI and
// the CLI all read it, so that a code means the same words wherever a person meets it.
//
// Unknown codes never come back empty: a reason gets its family's words (limit.* is a limit), anything
// else is shown as the code itself, which is visible and can be looked up.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace mugaika::labels {

enum class Lang { ja, en };

// A code with its short label in both languages (lists, filters, table cells).
struct Term {
    std::string_view code, ja, en;
};

// A reason code: its short label and the one-sentence explanation reports carry (`message_ja`).
struct Reason {
    std::string_view code, ja, en, message_ja;
};

std::span<const Reason> reasons();
std::string_view reason_label(std::string_view code, Lang lang = Lang::ja);
std::string_view reason_message_ja(std::string_view code);

std::span<const Term> file_types();
std::string_view file_type_label(std::string_view id, Lang lang = Lang::ja);

// held, release_requested, released, deleted, expired
std::span<const Term> item_states();
std::string_view item_state_label(std::string_view state, Lang lang = Lang::ja);

// pending, approved, rejected, cancelled, expired
std::span<const Term> request_states();
std::string_view request_state_label(std::string_view state, Lang lang = Lang::ja);

// original, resanitize, pixels, ppap
std::span<const Term> release_kinds();
std::string_view release_kind_label(std::string_view kind, Lang lang = Lang::ja);

// officer, approver, auditor, admin
std::span<const Term> roles();
std::string_view role_label(std::string_view role, Lang lang = Lang::ja);

// login, release.approve, ... (docs/quarantine.md lists them)
std::span<const Term> audit_actions();
std::string_view audit_action_label(std::string_view action, Lang lang = Lang::ja);

// ok, denied, error
std::span<const Term> audit_outcomes();
std::string_view audit_outcome_label(std::string_view outcome, Lang lang = Lang::ja);

// The keys of an audit line's detail object (channel, reason, requested_by, ...).
std::string_view audit_detail_label(std::string_view key, Lang lang = Lang::ja);

}  // namespace mugaika::labels
