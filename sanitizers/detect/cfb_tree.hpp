// A Compound File Binary (OLE2) container as a bounded tree, read with libgsf: every storage and
// stream by its full path, and bounded reads of one stream. Shared by detection (which streams say
// what the file is) and the legacy Office scan (where macros, objects and links live).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika::cfb {

struct Node {
    std::string path;      // "Macros/VBA/dir", names joined by '/' (a name may hold any other byte)
    std::string name;      // the last component
    bool storage = false;
    std::uint64_t size = 0;   // streams only
    int depth = 0;            // 0 for the root's children
};

class Tree {
public:
    // nullopt when libgsf cannot open the bytes as a compound file. Stops listing (truncated()) at
    // `max_nodes` entries or `max_depth` levels: a hostile directory cannot make the walk unbounded.
    static std::optional<Tree> open(std::string_view bytes, std::size_t max_nodes = 10000, int max_depth = 16);

    Tree(Tree&&) noexcept;
    Tree& operator=(Tree&&) noexcept;
    ~Tree();

    const std::vector<Node>& nodes() const { return nodes_; }
    bool truncated() const { return truncated_; }
    const Node* find(std::string_view path) const;
    // Any node whose last component is `name` (case-sensitive), or nullptr.
    const Node* find_name(std::string_view name) const;
    // The stream's bytes, at most `max_bytes` (nullopt when it is not a stream, larger, or unreadable).
    std::optional<std::string> read(std::string_view path, std::uint64_t max_bytes) const;

private:
    Tree();
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::vector<Node> nodes_;
    bool truncated_ = false;
};

}  // namespace mugaika::cfb
