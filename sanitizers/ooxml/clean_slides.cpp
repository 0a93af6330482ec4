// PresentationML: OLE frames become their preview picture, ActiveX controls go.
#include <vector>

#include "clean.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

xmlNodePtr find_desc(xmlNodePtr n, const char* ns_, const char* local) {
    for (xmlNodePtr e : elements(n))
        if (e != n && is(e, ns_, local)) return e;
    return nullptr;
}

// Replaces `frame` (a graphicFrame or an mc:AlternateContent around one) by the preview picture its
// OLE object carries, or removes it when there is none.
void replace_with_preview(xmlNodePtr frame, const PartScope& s) {
    s.tally->add(s.part, "ooxml.ole", Action::removed, "p:oleObj",
                 "埋め込みオブジェクト(OLE)を削除しました(表示用の画像は残しています)。");
    xmlNodePtr pic = nullptr;
    for (xmlNodePtr ole : elements(frame))
        if (is(ole, ns::p, "oleObj") && (pic = find_desc(ole, ns::p, "pic"))) break;
    if (pic) {
        xmlUnlinkNode(pic);
        xmlAddPrevSibling(frame, pic);
    }
    remove_node(frame);
}

}  // namespace

void clean_slides(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    // Outermost first: an AlternateContent holding an OLE frame is replaced as a whole, so that the
    // Choice and Fallback branches cannot disagree about what is shown.
    bool again = true;
    while (again) {
        again = false;
        for (xmlNodePtr n : elements(root)) {
            bool container = n->ns && n->ns->href && xmlStrEqual(n->name, BAD_CAST "AlternateContent");
            if ((container || is(n, ns::p, "graphicFrame")) && find_desc(n, ns::p, "oleObj")) {
                replace_with_preview(n, s);
                again = true;
                break;
            }
        }
    }
    std::vector<xmlNodePtr> all = elements(root);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (is(*it, ns::p, "controls") || is(*it, ns::p, "control")) {
            s.tally->add(s.part, "ooxml.activex", Action::removed, "p:control", "ActiveXコントロールを削除しました。");
            remove_node(*it);
        }
    }
}

}  // namespace mugaika::ooxml
