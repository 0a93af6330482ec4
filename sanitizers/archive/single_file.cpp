#include "single_file.hpp"

#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::archive {

std::vector<Output> open_single_file(const Input& in, Context& ctx, Stream format) {
    Decompressed d = decompress_stream(in.bytes, format, ctx);
    std::string noted;
    std::string inner = inner_name(in.name, format, d.stored_name, &noted);
    std::string where = check_name(inner).safe_name;
    if (!noted.empty())
        ctx.add("archive.inner_name", Action::noted, noted,
                "圧縮ファイル内に記録された名前ではなく、送られてきたファイル名から拡張子を除いた名前を使いました。", where);

    Outcome child = ctx.sanitize_child(d.bytes, inner, where);
    if (child.quarantined()) {
        // The content is all there is: held, the whole item is held, for the content's own reason
        // (an executable in a .gz is blocked.type; a PPAP zip in a .gz is encrypted and can be opened).
        throw SanitizeError(child.reason.empty() ? std::string(reason::child_held) : child.reason,
                            "the compressed content " + where + " was held: " + child.reason_detail);
    }
    ctx.add("archive.decompressed", Action::converted,
            std::string(in.type->id) + " decompressed; its content is released under its own name",
            std::string(label_ja(*in.type)) + "を展開し、中身(" + where + ")を無害化して取り出しました。", where);
    return std::move(child.outputs);
}

}  // namespace mugaika::archive
