// The outcome model: one shape for every format (see ../shared/design.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mugaika {

enum class Verdict {
    released,     // clean as it was: the output is the input, byte for byte
    disarmed,     // rebuilt: something was removed, converted or renamed
    quarantined,  // held with a reason; nothing of it is released
};

std::string_view to_string(Verdict v);

// What a finding led to. "noted" changes nothing in the output.
enum class Action { removed, converted, renamed, blocked, noted };

std::string_view to_string(Action a);

struct Finding {
    std::string where;   // path inside the container ("" is the item itself), e.g. attachment[2]/word/vbaProject.bin
    std::string kind;    // machine-readable, dotted: pdf.javascript, ooxml.vba, name.bidi, ...
    Action action = Action::noted;
    std::string detail;  // technical detail, English
    std::string ja;      // one short Japanese sentence for the officer and the report summary
};

struct Output {
    std::string name;    // safe file name; empty lets the engine derive it from the input name and type
    std::string type;    // file type id of the bytes (see file_type.hpp)
    std::string bytes;
};

// A child that did not come out clean (a mail attachment, an archive member): the service keeps the
// original container in quarantine beside the released parts.
struct HeldItem {
    std::string where;
    std::string name;
    std::string type;
    std::string reason;     // reason code
    std::string detail;
};

struct ChildSummary {
    std::string where;
    std::string name;
    std::string type;
    Verdict verdict = Verdict::quarantined;
    std::string reason;     // empty unless quarantined
};

// What people recognise an item by in the officer's list: a mail's subject and sender. Shown, never
// used for a decision; empty for types that have nothing of the kind.
struct About {
    std::string subject;
    std::string from;   // "表示名 <addr>" or the address
    bool empty() const { return subject.empty() && from.empty(); }
};

struct Outcome {
    // Input identity.
    std::string input_name;
    std::uint64_t input_size = 0;
    std::string input_sha256;

    std::string detected_type;          // file type id
    std::string magic_description;      // libmagic's words, for the report
    Verdict verdict = Verdict::quarantined;
    std::string reason;                 // reason code when quarantined (reasons.hpp)
    std::string reason_detail;          // technical detail, English
    std::vector<Output> outputs;
    std::vector<Finding> findings;
    std::vector<ChildSummary> children;
    std::vector<HeldItem> held;
    About about;
    std::uint64_t elapsed_ms = 0;

    bool quarantined() const { return verdict == Verdict::quarantined; }
    // True when the original must go to quarantine: the whole item, or some part of it, was held.
    bool keeps_original() const { return quarantined() || !held.empty(); }
};

}  // namespace mugaika
