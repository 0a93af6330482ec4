// Secrets a person supplied for one item, such as the password of a PPAP zip (a password-protected
// zip whose password came in a second mail) entered by the security officer. They travel with the item
// through every level of recursion in memory only: no outcome, finding, report or log ever holds them.
#pragma once

#include <string>
#include <vector>

namespace mugaika {

struct ItemSecrets {
    std::vector<std::string> passwords;   // candidates, tried in order; none of them is ever echoed
};

}  // namespace mugaika
