// Pictures inside a package (media/*, thumbnails, EMF/WMF): never kept as they came. Each goes
// through the engine as a child (the image sanitizer rebuilds it from its pixels) and comes back
// under its own part name; what cannot be rebuilt becomes a neutral placeholder of the same size.
#pragma once

#include <string>
#include <string_view>

#include "mugaika/sanitizer.hpp"
#include "tally.hpp"

namespace mugaika::ooxml {

struct RebuiltPart {
    std::string bytes;
    std::string content_type;   // the declared one, or the type of the rebuilt bytes when it changed
};

// `part` is the part name ("/word/media/image1.png"), `content_type` the declared image type.
RebuiltPart rebuild_image_part(const std::string& part, const std::string& content_type, std::string_view bytes,
                               Context& ctx, Tally& tally);

}  // namespace mugaika::ooxml
