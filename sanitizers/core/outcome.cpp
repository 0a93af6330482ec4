#include "mugaika/outcome.hpp"

namespace mugaika {

std::string_view to_string(Verdict v) {
    switch (v) {
    case Verdict::released: return "released";
    case Verdict::disarmed: return "disarmed";
    case Verdict::quarantined: return "quarantined";
    }
    return "quarantined";
}

std::string_view to_string(Action a) {
    switch (a) {
    case Action::removed: return "removed";
    case Action::converted: return "converted";
    case Action::renamed: return "renamed";
    case Action::blocked: return "blocked";
    case Action::noted: return "noted";
    }
    return "noted";
}

}  // namespace mugaika
