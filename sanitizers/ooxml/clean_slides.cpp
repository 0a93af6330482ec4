// PresentationML: OLE frames become their preview picture, ActiveX controls go. Markup compatibility
// was resolved before (one branch of every mc:AlternateContent is left), so a frame is judged as the
// reader will see it. One pass in document order; each frame's subtree is searched once, so the work
// is linear in the part (times the nesting depth, which libxml2 bounds to 256).
#include <vector>

#include "clean.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

// Replaces `frame` by the preview picture its OLE object carries, or removes it when there is none.
void replace_with_preview(xmlNodePtr frame, const PartScope& s) {
    s.tally->add(s.part, "ooxml.ole", Action::removed, "p:oleObj",
                 "埋め込みオブジェクト(OLE)を削除しました(表示用の画像は残しています)。");
    xmlNodePtr pic = nullptr;
    bool in_ole = false;
    xmlNodePtr ole = nullptr;
    for (xmlNodePtr e : elements(frame)) {
        if (is(e, ns::p, "oleObj")) {
            ole = e;
            in_ole = true;
        } else if (in_ole && is(e, ns::p, "pic") && attached(e, ole)) {
            pic = e;
            break;
        }
    }
    if (pic) {
        xmlUnlinkNode(pic);
        xmlAddPrevSibling(frame, pic);
    }
    remove_node(frame);
}

bool holds_ole(xmlNodePtr frame) {
    for (xmlNodePtr e : elements(frame))
        if (is(e, ns::p, "oleObj")) return true;
    return false;
}

}  // namespace

void clean_slides(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    std::vector<xmlNodePtr> all = elements(root);
    std::size_t step = 0;
    // Outermost frames first (document order); a frame inside one already chosen goes with it. Nodes
    // are only freed once the walk is over.
    std::vector<xmlNodePtr> frames;
    for (xmlNodePtr n : all) {
        tick(s, ++step);
        if (!is(n, ns::p, "graphicFrame") || n == root) continue;
        if (!frames.empty() && attached(n, frames.back())) continue;
        if (holds_ole(n)) frames.push_back(n);
    }
    for (xmlNodePtr f : frames) replace_with_preview(f, s);
    if (!frames.empty()) all = elements(root);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (is(*it, ns::p, "controls") || is(*it, ns::p, "control")) {
            s.tally->add(s.part, "ooxml.activex", Action::removed, "p:control", "ActiveXコントロールを削除しました。");
            remove_node(*it);
        }
    }
}

}  // namespace mugaika::ooxml
