// Where a member of an archive goes in the rebuilt one: its folders made safe one by one with the same
// rules as file names, its own name left to the engine (which checks it as it checks any input).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mugaika::archive {

struct MemberPath {
    std::vector<std::string> folders;   // safe folder names, outermost first ("." and empty parts dropped)
    std::string base;                   // the last part as stored (decoded), for Context::sanitize_child
    std::string problem;                // why the member cannot be placed at all, or empty
    bool renamed = false;               // a folder name had to be changed to be safe
};

// `path` is the decoded member name, already free of traversal, absolute paths, backslashes and
// control characters (zip::name_problem).
MemberPath member_path(std::string_view path);

// The folders and a name joined with '/'.
std::string join_path(const std::vector<std::string>& folders, std::string_view name);

}  // namespace mugaika::archive
