#include "cfb_tree.hpp"

#include <gsf/gsf.h>

#include <mutex>

namespace mugaika::cfb {
namespace {

void init_gsf() {
    static std::once_flag once;
    std::call_once(once, [] { gsf_init(); });   // libgsf's own type registration, idempotent
}

struct Unref {
    void operator()(gpointer p) const {
        if (p) g_object_unref(p);
    }
};
using Obj = std::unique_ptr<void, Unref>;

}  // namespace

struct Tree::Impl {
    std::string bytes;   // libgsf reads lazily from this copy for the tree's whole life
    Obj ole;
};

Tree::Tree() : impl_(std::make_unique<Impl>()) {}
Tree::Tree(Tree&&) noexcept = default;
Tree& Tree::operator=(Tree&&) noexcept = default;
Tree::~Tree() = default;

std::optional<Tree> Tree::open(std::string_view bytes, std::size_t max_nodes, int max_depth) {
    init_gsf();
    Tree t;
    t.impl_->bytes.assign(bytes);
    const std::string& b = t.impl_->bytes;
    GsfInput* input = gsf_input_memory_new(reinterpret_cast<const guint8*>(b.data()), static_cast<gsf_off_t>(b.size()), FALSE);
    if (!input) return std::nullopt;
    GError* err = nullptr;
    GsfInfile* ole = gsf_infile_msole_new(input, &err);
    g_object_unref(input);
    if (!ole) {
        if (err) g_error_free(err);
        return std::nullopt;
    }
    t.impl_->ole.reset(ole);

    // Depth-first with an explicit stack; libgsf already refuses cycles in the directory.
    struct Item {
        GsfInfile* dir;
        std::string prefix;
        int depth;
    };
    std::vector<Obj> keep;   // storages opened below the root stay referenced while listed
    std::vector<Item> stack{{ole, "", 0}};
    while (!stack.empty()) {
        Item it = stack.back();
        stack.pop_back();
        int n = gsf_infile_num_children(it.dir);
        for (int i = 0; i < n; ++i) {
            if (t.nodes_.size() >= max_nodes) {
                t.truncated_ = true;
                return t;
            }
            const char* name = gsf_infile_name_by_index(it.dir, i);
            if (!name) continue;
            GsfInput* child = gsf_infile_child_by_index(it.dir, i);
            if (!child) continue;
            Node node;
            node.name = name;
            node.path = it.prefix.empty() ? node.name : it.prefix + "/" + node.name;
            node.depth = it.depth;
            node.storage = GSF_IS_INFILE(child) && gsf_infile_num_children(GSF_INFILE(child)) >= 0;
            node.size = node.storage ? 0 : static_cast<std::uint64_t>(gsf_input_size(child));
            t.nodes_.push_back(node);
            if (node.storage && it.depth + 1 < max_depth) {
                stack.push_back({GSF_INFILE(child), node.path, it.depth + 1});
                keep.emplace_back(child);
            } else {
                if (node.storage) t.truncated_ = true;
                g_object_unref(child);
            }
        }
    }
    return t;
}

const Node* Tree::find(std::string_view path) const {
    for (const auto& n : nodes_)
        if (n.path == path) return &n;
    return nullptr;
}

const Node* Tree::find_name(std::string_view name) const {
    for (const auto& n : nodes_)
        if (n.name == name) return &n;
    return nullptr;
}

std::optional<std::string> Tree::read(std::string_view path, std::uint64_t max_bytes) const {
    const Node* node = find(path);
    if (!node || node->storage || node->size > max_bytes) return std::nullopt;
    // Walk down by component: names may contain anything but are unique per storage.
    GsfInfile* dir = GSF_INFILE(impl_->ole.get());
    std::vector<Obj> opened;
    std::string_view rest = path;
    GsfInput* leaf = nullptr;
    while (true) {
        auto slash = rest.find('/');
        std::string part(rest.substr(0, slash));
        GsfInput* child = gsf_infile_child_by_name(dir, part.c_str());
        if (!child) return std::nullopt;
        opened.emplace_back(child);
        if (slash == std::string_view::npos) {
            leaf = child;
            break;
        }
        if (!GSF_IS_INFILE(child)) return std::nullopt;
        dir = GSF_INFILE(child);
        rest.remove_prefix(slash + 1);
    }
    gsf_off_t size = gsf_input_size(leaf);
    if (size < 0 || static_cast<std::uint64_t>(size) > max_bytes) return std::nullopt;
    std::string out(static_cast<std::size_t>(size), '\0');
    if (size > 0 && !gsf_input_read(leaf, static_cast<size_t>(size), reinterpret_cast<guint8*>(out.data())))
        return std::nullopt;
    return out;
}

}  // namespace mugaika::cfb
