#include "image_parts.hpp"

#include "image/placeholder.hpp"
#include "mugaika/file_type.hpp"

namespace mugaika::ooxml {
namespace {

bool is_vector(std::string_view ct) { return ct == "image/x-emf" || ct == "image/x-wmf"; }

// Formats every Office version shows; the image sanitizer writes only these for pictures.
std::string_view content_type_of(std::string_view type) {
    if (type == "png") return "image/png";
    if (type == "jpeg") return "image/jpeg";
    if (type == "gif") return "image/gif";
    return {};
}

RebuiltPart placeholder(const std::string& part, const std::string& content_type, std::string_view bytes,
                        const std::string& why, Tally& tally) {
    std::string format = content_type == "image/jpeg" || content_type == "image/jpg" ? "jpeg"
                         : content_type == "image/gif"                               ? "gif"
                                                                                     : "png";
    tally.add(part, "ooxml.image", Action::removed, why + "; replaced by a blank picture of the same size",
              "作り直せない画像を、同じ大きさの灰色の図に置き換えました(元の文書は保留しています)。");
    return {image::placeholder_image(format, image::declared_size(bytes)), std::string(content_type_of(format))};
}

}  // namespace

RebuiltPart rebuild_image_part(const std::string& part, const std::string& content_type, std::string_view bytes,
                               Context& ctx, Tally& tally) {
    // No renderer in Debian 12 can be trusted with EMF/WMF records (docs/image.md): a placeholder by
    // policy, with a finding; the document itself is not held for it.
    if (is_vector(content_type)) {
        tally.add(part, "ooxml.image.vector", Action::removed, content_type + " picture replaced by a blank one of the same size",
                  "図(EMF/WMF形式)は安全に描き直せないため、同じ大きさの空白の図に置き換えました。");
        return {content_type == "image/x-emf" ? image::placeholder_emf(bytes) : image::placeholder_wmf(bytes), content_type};
    }

    auto slash = part.rfind('/');
    std::string name = part.substr(slash == std::string::npos ? 0 : slash + 1);
    std::string where = part.size() > 1 && part[0] == '/' ? part.substr(1) : part;
    Outcome child = ctx.sanitize_child(bytes, name, where);
    if (child.quarantined())   // held by sanitize_child: the original document goes to quarantine
        return placeholder(part, content_type, bytes, "picture held (" + child.reason + ")", tally);

    std::string_view rebuilt = child.outputs.empty() ? std::string_view() : content_type_of(child.outputs.front().type);
    if (rebuilt.empty()) {
        // Something that is not a picture under a picture's name: hold it like any child that failed.
        ctx.held().push_back(HeldItem{where, name, child.detected_type, "blocked.mismatch",
                                      "a part declared " + content_type + " holds " + child.detected_type});
        return placeholder(part, content_type, bytes, "content is " + child.detected_type + ", not a picture", tally);
    }
    if (child.outputs.size() > 1)
        tally.add(part, "ooxml.image.pages", Action::removed, std::to_string(child.outputs.size()) + " pages: the first kept",
                  "複数ページの画像のうち、最初のページだけを文書に残しました。");
    return {std::move(child.outputs.front().bytes), std::string(rebuilt)};
}

}  // namespace mugaika::ooxml
