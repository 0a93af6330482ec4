#include "mime_tree.hpp"

#include <gmime/gmime.h>

#include <cctype>
#include <memory>
#include <mutex>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::mail {
namespace {

// g_mime_init registers GObject types for the whole process; once is enough and it is idempotent in
// effect, but not thread-safe, hence call_once.
void init_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

struct Unref {
    void operator()(gpointer p) const {
        if (p) g_object_unref(p);
    }
};
template <class T>
using Ref = std::unique_ptr<T, Unref>;

std::string lower(const char* s) {
    std::string out(s ? s : "");
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string read_stream(GMimeStream* s) {
    std::string out;
    if (!s) return out;
    g_mime_stream_reset(s);
    // A part's content is a window on the message's own stream: its length is known, and reading
    // straight into a buffer of that size spares a copy and the regrowth of a megabyte attachment.
    // The length is only a hint; whatever the stream really gives is what is kept.
    gint64 length = g_mime_stream_length(s);
    if (length > 0) out.reserve(static_cast<std::size_t>(length));
    char buf[65536];
    for (;;) {
        ssize_t n = g_mime_stream_read(s, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

std::vector<RawHeader> headers_of(GMimeObject* obj, const TreeLimits& limits) {
    std::vector<RawHeader> out;
    GMimeHeaderList* list = g_mime_object_get_header_list(obj);
    if (!list) return out;
    int n = g_mime_header_list_get_count(list);
    if (n < 0 || static_cast<std::size_t>(n) > limits.max_headers)
        throw SanitizeError(reason::limit_size, std::to_string(n) + " headers in one header block (limit " +
                                                    std::to_string(limits.max_headers) + ")");
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
        const char* name = g_mime_header_get_name(h);
        const char* raw = g_mime_header_get_raw_value(h);
        RawHeader r{name ? name : "", raw ? raw : ""};
        if (r.value.size() > limits.max_header_bytes)
            throw SanitizeError(reason::limit_size, "header " + r.name + " is " + std::to_string(r.value.size()) +
                                                        " bytes long (limit " + std::to_string(limits.max_header_bytes) + ")");
        out.push_back(std::move(r));
    }
    return out;
}

struct Builder {
    const TreeLimits& limits;
    std::size_t parts = 0;

    MimeNode build(GMimeObject* obj, int depth) {
        if (depth > limits.max_depth)
            throw SanitizeError(reason::limit_depth, "MIME nesting deeper than " + std::to_string(limits.max_depth));
        if (++parts > limits.max_parts)
            throw SanitizeError(reason::limit_members, "more than " + std::to_string(limits.max_parts) + " MIME parts");
        MimeNode node;
        node.depth = depth;
        node.headers = headers_of(obj, limits);
        if (GMimeContentType* ct = g_mime_object_get_content_type(obj)) {
            node.type = lower(g_mime_content_type_get_media_type(ct));
            node.subtype = lower(g_mime_content_type_get_media_subtype(ct));
        }
        if (GMIME_IS_MULTIPART(obj)) {
            node.kind = MimeNode::Kind::multipart;
            auto* mp = GMIME_MULTIPART(obj);
            if (const char* pro = g_mime_multipart_get_prologue(mp)) node.prologue = pro;
            if (const char* epi = g_mime_multipart_get_epilogue(mp)) node.epilogue = epi;
            int n = g_mime_multipart_get_count(mp);
            for (int i = 0; i < n; ++i) node.children.push_back(build(g_mime_multipart_get_part(mp, i), depth + 1));
        } else if (GMIME_IS_MESSAGE_PART(obj)) {
            node.kind = MimeNode::Kind::message;
            if (GMimeMessage* msg = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj))) {
                // GMime writes the nested message back from its raw headers and raw content streams.
                Ref<GMimeStream> mem(g_mime_stream_mem_new());
                g_mime_object_write_to_stream(GMIME_OBJECT(msg), nullptr, mem.get());
                GByteArray* arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
                node.body.assign(reinterpret_cast<const char*>(arr->data), arr->len);
            }
        } else if (GMIME_IS_PART(obj)) {
            if (GMimeDataWrapper* w = g_mime_part_get_content(GMIME_PART(obj)))
                node.body = read_stream(g_mime_data_wrapper_get_stream(w));
        }
        return node;
    }
};

void on_warning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer user_data) {
    auto* out = static_cast<std::vector<ParserWarning>*>(user_data);
    if (out->size() >= 100) return;   // a hostile message can raise thousands; the first ones tell enough
    // The item is raw input: keep it printable ASCII so reports (JSON, UTF-8 only) can always carry it.
    std::string s;
    for (const char* p = item ? item : ""; *p && s.size() < 200; ++p) {
        auto c = static_cast<unsigned char>(*p);
        s.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
    }
    out->push_back(ParserWarning{offset, static_cast<int>(code), std::move(s)});
}

}  // namespace

ParsedMail parse_mail(std::string_view bytes, const TreeLimits& limits) {
    init_gmime();
    ParsedMail result;
    if (bytes.size() > G_MAXUINT) throw SanitizeError(reason::limit_size, "mail too large for GMime");
    // GMime reads the message where it is: a byte array over the caller's buffer (no copy of a
    // megabyte mail), which the stream does not own and which is never written (GMime only parses).
    // Every GMime object is released before this function returns, the array's wrapper last.
    std::unique_ptr<GByteArray, void (*)(GByteArray*)> array(
        g_byte_array_new_take(reinterpret_cast<guint8*>(const_cast<char*>(bytes.data())), bytes.size()),
        [](GByteArray* a) { g_byte_array_free(a, FALSE); });
    Ref<GMimeStream> stream(g_mime_stream_mem_new_with_byte_array(array.get()));
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream.get()), FALSE);
    Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
    std::unique_ptr<GMimeParserOptions, void (*)(GMimeParserOptions*)> options(g_mime_parser_options_new(),
                                                                               g_mime_parser_options_free);
    g_mime_parser_options_set_warning_callback(options.get(), on_warning, &result.warnings);
    Ref<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options.get()));
    if (!message) throw SanitizeError(reason::malformed, "GMime found no message");
    result.headers = headers_of(GMIME_OBJECT(message.get()), limits);
    Builder b{limits};
    if (GMimeObject* body = g_mime_message_get_mime_part(message.get())) result.root = b.build(body, 0);
    result.parts = b.parts;
    return result;
}

const RawHeader* find_header(const std::vector<RawHeader>& headers, std::string_view name) {
    for (const auto& h : headers)
        if (h.name.size() == name.size() &&
            std::equal(h.name.begin(), h.name.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            return &h;
    return nullptr;
}

std::size_t count_headers(const std::vector<RawHeader>& headers, std::string_view name) {
    std::size_t n = 0;
    for (const auto& h : headers)
        if (h.name.size() == name.size() &&
            std::equal(h.name.begin(), h.name.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            ++n;
    return n;
}

WarningText describe_warning(int code) {
    switch (static_cast<GMimeParserWarning>(code)) {
    case GMIME_WARN_DUPLICATED_HEADER: return {"duplicated_header", "同じヘッダーが重複していました。", false};
    case GMIME_WARN_DUPLICATED_PARAMETER: return {"duplicated_parameter", "ヘッダーのパラメーターが重複していました。", false};
    case GMIME_WARN_UNENCODED_8BIT_HEADER: return {"unencoded_8bit_header", "符号化されていない8ビット文字を含むヘッダーがありました。", false};
    case GMIME_WARN_INVALID_CONTENT_TYPE: return {"invalid_content_type", "不正なContent-Typeがありました。", false};
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return {"invalid_rfc2047", "不正な形式で符号化されたヘッダーがありました。", false};
    case GMIME_WARN_INVALID_PARAMETER: return {"invalid_parameter", "不正なヘッダーパラメーターがありました。", false};
    case GMIME_WARN_MALFORMED_MULTIPART: return {"malformed_multipart", "マルチパートの構造が壊れていました(区切りの欠落など)。", false};
    case GMIME_WARN_TRUNCATED_MESSAGE: return {"truncated", "メールが途中で切れていました。", false};
    case GMIME_WARN_MALFORMED_MESSAGE: return {"malformed_message", "メールの形式に誤りがありました。", false};
    case GMIME_WARN_INVALID_ADDRESS_LIST: return {"invalid_address_list", "不正なアドレス欄がありました。", false};
    case GMIME_CRIT_INVALID_HEADER_NAME: return {"invalid_header_name", "不正なヘッダー名がありました。", true};
    case GMIME_CRIT_CONFLICTING_HEADER: return {"conflicting_header", "内容の食い違う同名のヘッダーがありました。", true};
    case GMIME_CRIT_CONFLICTING_PARAMETER: return {"conflicting_parameter", "内容の食い違う同名のパラメーターがありました。", true};
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return {"multipart_without_boundary", "区切り文字列のないマルチパートがありました。", true};
    case GMIME_CRIT_NESTING_OVERFLOW: return {"nesting_overflow", "MIMEの入れ子が深すぎました。", true};
    case GMIME_WARN_PART_WITHOUT_CONTENT: return {"part_without_content", "中身のないパートがありました。", false};
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: return {"part_without_headers", "ヘッダーも中身もないパートがありました。", true};
    }
    return {"warning", "メールの形式に問題がありました。", false};
}

}  // namespace mugaika::mail
