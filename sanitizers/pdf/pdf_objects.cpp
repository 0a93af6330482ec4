#include "pdf_objects.hpp"

#include <poppler/GlobalParams.h>
#include <poppler/Object.h>
#include <poppler/PDFDoc.h>
#include <poppler/Stream.h>
#include <poppler/XRef.h>

#include <cmath>
#include <cstring>
#include <set>
#include <utility>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"
#include "pdf_jbig2.hpp"
#include "pdf_text.hpp"

namespace mugaika::pdf {
namespace {

// Poppler reports every syntax problem of a hostile file on stderr; the verdict says what matters.
void quiet(ErrorCategory, Goffset, const char*) {}

bool name_is(const Object& o, const char* n) { return o.isName() && std::strcmp(o.getName(), n) == 0; }

// References are followed before any value is judged: "/Width 6 0 R" is a width, and so is a
// reference to a reference (poppler stops at one, other readers may not). The chain is bounded; one
// that does not end in a direct value within it counts as absent.
constexpr int kMaxReferenceChain = 8;

Object resolve(const Object& o, XRef* xref) {
    Object cur = o.copy();
    for (int i = 0; i < kMaxReferenceChain && cur.isRef(); ++i) cur = xref->fetch(cur.getRef());
    return cur.isRef() ? Object(objNull) : std::move(cur);
}

Object lookup(Dict* d, const char* key, XRef* xref) { return resolve(d->lookupNF(key), xref); }

// A size as a limit must see it: any number, integer or real, its magnitude, saturated (a NaN or an
// infinity is as large as it gets). nullopt when the value is not a number.
std::optional<double> magnitude(const Object& o) {
    if (!o.isNum()) return std::nullopt;
    double v = o.isInt64() ? static_cast<double>(o.getInt64()) : o.getNum();
    if (!std::isfinite(v)) return 1e300;
    return std::fabs(v);
}

std::uint64_t saturated(double v) { return v >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(v); }

// Where a construct sits, for the officer: the first path by which the walk reached it wins.
std::string context_for_key(const char* key, const std::string& parent) {
    if (!std::strcmp(key, "OpenAction")) return "open action";
    if (!std::strcmp(key, "JavaScript")) return "names tree";
    if (!std::strcmp(key, "Annots")) return "annotation";
    if (!std::strcmp(key, "AcroForm") || !std::strcmp(key, "Fields")) return "form field";
    if (!std::strcmp(key, "Outlines")) return "outline";
    if (!std::strcmp(key, "EmbeddedFiles")) return "embedded files";
    return parent;
}

// True when a content stream sets text render mode 3 or 7 (invisible, with or without clipping):
// "3 Tr". Only then is the invisible-text pass worth its cost (pdf_invisible_text.cpp).
bool sets_invisible_text(std::string_view content) {
    // strchr also matches the terminating NUL, which PDF counts as white space too.
    auto delimiter = [](char c) { return std::strchr(" \t\r\n\f[]<>(){}/%", c) != nullptr; };
    for (auto p = content.find("Tr"); p != std::string_view::npos; p = content.find("Tr", p + 2)) {
        if (p + 2 < content.size() && !delimiter(content[p + 2])) continue;
        std::size_t q = p;
        while (q > 0 && std::strchr(" \t\r\n\f", content[q - 1])) --q;
        if (q == p || q == 0 || (content[q - 1] != '3' && content[q - 1] != '7')) continue;
        if (q == 1 || delimiter(content[q - 2])) return true;
    }
    return false;
}

// Decoded bytes of a stream, at most `max` (content streams are read only to look for operators).
std::string read_capped(Stream* s, std::size_t max) {
    s->reset();
    std::string out;
    unsigned char buf[65536];
    int n;
    while (out.size() < max && (n = s->doGetChars(sizeof buf, buf)) > 0)
        out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
    s->close();
    return out;
}

// The undecoded input of a JBIG2 filter, for reading its declared sizes; capped so that a filter
// chain in front of it (Flate, say) cannot make this a bomb of its own.
std::string jbig2_input(Stream* jbig2) {
    Stream* in = jbig2->getNextStream();
    return in ? read_capped(in, 64u << 20) : std::string();
}

struct Item {
    Object obj;          // a direct object, or a Ref still to fetch
    std::string where;
    bool content = false;   // reached as a page's /Contents
};

}  // namespace

struct ObjectWalk::Impl {
    GlobalParamsIniter params{quiet};
    std::unique_ptr<PDFDoc> doc;
};

ObjectWalk::ObjectWalk(std::string_view bytes) : impl_(std::make_unique<Impl>()) {
    // MemStream reads the caller's buffer in place; PDFDoc owns the stream object, not the bytes.
    auto* stream = new MemStream(bytes.data(), 0, static_cast<Goffset>(bytes.size()), Object(objNull));
    impl_->doc = std::make_unique<PDFDoc>(stream);
    if (!impl_->doc->isOk() || !impl_->doc->getXRef())
        throw SanitizeError(reason::malformed,
                            "the PDF parser cannot read the document (error " +
                                std::to_string(impl_->doc->getErrorCode()) + ")");
}

ObjectWalk::~ObjectWalk() = default;

PDFDoc* ObjectWalk::document() { return impl_->doc.get(); }

ObjectReport ObjectWalk::scan(const std::function<void()>& tick) {
    ObjectReport r;
    XRef* xref = impl_->doc->getXRef();
    std::set<std::pair<int, int>> visited;     // indirect objects already walked
    std::set<std::pair<int, int>> files_seen;  // embedded file streams already listed
    std::vector<Item> stack;

    auto note_file = [&](const Object& ref, std::string name, std::int64_t size) {
        if (!ref.isRef()) return;
        auto key = std::make_pair(ref.getRefNum(), ref.getRefGen());
        if (!files_seen.insert(key).second) {
            // Seen as a bare stream first: keep the better name.
            for (auto& f : r.embedded_files)
                if (f.object == key.first && f.generation == key.second && f.name.empty()) f.name = name;
            return;
        }
        r.embedded_files.push_back(EmbeddedFile{std::move(name), size, key.first, key.second});
    };

    auto inspect = [&](Dict* d, Stream* stream, const std::string& where, std::optional<Ref> self, bool content) {
        bool is_stream = stream != nullptr;
        Object s = lookup(d, "S", xref);
        if (s.isName()) {
            const char* n = s.getName();
            if (!std::strcmp(n, "JavaScript")) ++r.javascript[where];
            else if (!std::strcmp(n, "Launch")) ++r.launch;
            else if (!std::strcmp(n, "GoToR")) ++r.goto_remote;
            else if (!std::strcmp(n, "GoToE")) ++r.goto_embedded;
            else if (!std::strcmp(n, "SubmitForm")) ++r.submit_form;
            else if (!std::strcmp(n, "ImportData")) ++r.import_data;
            else if (!std::strcmp(n, "URI")) ++r.uri;
            else if (!std::strcmp(n, "RichMediaExecute")) ++r.richmedia;
            else if (!std::strcmp(n, "Rendition") || !std::strcmp(n, "Movie") || !std::strcmp(n, "Sound") ||
                     !std::strcmp(n, "Hide") || !std::strcmp(n, "SetOCGState") || !std::strcmp(n, "Named") ||
                     !std::strcmp(n, "Trans") || !std::strcmp(n, "GoTo3DView"))
                ++r.other_actions;
            // A Rendition action may carry its own script.
            if (std::strcmp(n, "JavaScript") && d->hasKey("JS")) ++r.javascript[where];
        }
        if (d->hasKey("AA")) ++r.additional_actions;
        if (d->hasKey("XFA")) r.xfa = true;
        Object type = lookup(d, "Type", xref);
        Object subtype = lookup(d, "Subtype", xref);
        if (name_is(subtype, "RichMedia")) ++r.richmedia;
        if (name_is(type, "Catalog")) {
            if (d->hasKey("OpenAction")) r.open_action = true;
            if (d->hasKey("AcroForm")) r.acroform = true;
        }
        // Every stream that declares a width and a height is measured, image or not: poppler reads an
        // image's size from /Width or /W whatever else the dictionary says.
        if (is_stream) {
            Object w = lookup(d, "Width", xref);
            if (w.isNull()) w = lookup(d, "W", xref);
            Object h = lookup(d, "Height", xref);
            if (h.isNull()) h = lookup(d, "H", xref);
            auto wv = magnitude(w), hv = magnitude(h);
            if (wv && hv) r.largest_image_pixels = std::max(r.largest_image_pixels, saturated(*wv * *hv));
        }
        // Whatever the stream claims to be (bomb_giant.pdf uses JBIG2 page contents), its decoder
        // would allocate what the segments declare, its global segments included.
        if (is_stream && stream->getKind() == strJBIG2) {
            std::uint64_t px = jbig2_declared_pixels(jbig2_input(stream));
            if (px > r.largest_image_pixels) r.largest_image_pixels = px;
            Object parms = lookup(d, "DecodeParms", xref);
            if (parms.isNull()) parms = lookup(d, "DP", xref);
            std::vector<Object> candidates;
            if (parms.isArray())
                for (int i = 0; i < parms.arrayGetLength() && i < 16; ++i) candidates.push_back(resolve(parms.arrayGetNF(i), xref));
            else
                candidates.push_back(std::move(parms));
            for (auto& p : candidates) {
                if (!p.isDict()) continue;
                Object globals = lookup(p.getDict(), "JBIG2Globals", xref);
                if (globals.isStream())
                    r.largest_image_pixels =
                        std::max(r.largest_image_pixels, jbig2_declared_pixels(read_capped(globals.getStream(), 64u << 20)));
            }
            tick();   // reading the input may have decoded a filter in front of it
        }
        // A sampled function (type 0: shadings, transfer functions, colour spaces) holds the product of
        // its /Size entries times its outputs in memory, read from its stream.
        if (Object ft = lookup(d, "FunctionType", xref); ft.isInt() && ft.getInt() == 0) {
            Object size = lookup(d, "Size", xref);
            Object range = lookup(d, "Range", xref);
            double samples = range.isArray() ? std::max(1, range.arrayGetLength() / 2) : 1;
            if (size.isArray()) {
                for (int i = 0; i < size.arrayGetLength() && i < 64; ++i)
                    samples *= magnitude(resolve(size.arrayGetNF(i), xref)).value_or(1);
                if (size.arrayGetLength() > 64) samples = 1e300;   // more inputs than any reader accepts
            }
            r.largest_function_samples = std::max(r.largest_function_samples, saturated(samples));
        }
        // Page contents and form XObjects (OCR layers are often a form laid over the scan).
        if (is_stream && !r.invisible_text && (content || name_is(subtype, "Form")) && stream->getKind() != strJBIG2) {
            r.invisible_text = sets_invisible_text(read_capped(stream, 64u << 20));
            tick();
        }
        if (is_stream && self && name_is(type, "EmbeddedFile")) {
            Object ref(*self);
            note_file(ref, "", -1);
        }
        // A file specification with embedded streams: /EF << /F 12 0 R /UF 12 0 R >>.
        Object ef = lookup(d, "EF", xref);
        if (ef.isDict()) {
            std::string name;
            for (const char* k : {"UF", "F", "Unix", "DOS", "Mac"}) {
                Object v = lookup(d, k, xref);
                if (v.isString()) { name = decode_text_string(v.getString()->toStr()); break; }
            }
            std::int64_t size = -1;
            for (int i = 0; i < ef.dictGetLength(); ++i) {
                // The stream itself, at the end of a bounded chain of references.
                Object stream_ref = ef.dictGetValNF(i).copy();
                for (int hop = 0; hop < kMaxReferenceChain && stream_ref.isRef(); ++hop) {
                    Object next = xref->fetch(stream_ref.getRef());
                    if (!next.isRef()) break;
                    stream_ref = std::move(next);
                }
                if (!stream_ref.isRef()) continue;
                Object stream = xref->fetch(stream_ref.getRef());
                if (stream.isStream()) {
                    Object params = stream.streamGetDict()->lookup("Params");
                    if (params.isDict()) {
                        Object sz = params.dictLookup("Size");
                        if (sz.isInt()) size = sz.getInt();
                        else if (sz.isInt64()) size = sz.getInt64();
                    }
                }
                note_file(stream_ref, name, size);
            }
        }
    };

    auto push_children = [&](Dict* d, const std::string& where) {
        for (int i = 0; i < d->getLength(); ++i) {
            const Object& v = d->getValNF(i);
            if (v.isRef() || v.isDict() || v.isArray())
                stack.push_back(Item{v.copy(), context_for_key(d->getKey(i), where), !std::strcmp(d->getKey(i), "Contents")});
        }
    };

    auto walk = [&]() {
        while (!stack.empty()) {
            Item item = std::move(stack.back());
            stack.pop_back();
            if (++r.objects % 4096 == 0) tick();
            std::optional<Ref> self;
            Object obj;
            if (item.obj.isRef()) {
                Ref ref = item.obj.getRef();
                if (!visited.insert({ref.num, ref.gen}).second) continue;
                self = ref;
                obj = xref->fetch(ref);
            } else {
                obj = std::move(item.obj);
            }
            std::string where = item.where;
            if (obj.isDict() && name_is(lookup(obj.getDict(), "Type", xref), "Page")) where = "page";
            if (obj.isDict()) {
                inspect(obj.getDict(), nullptr, where, self, false);
                push_children(obj.getDict(), where);
            } else if (obj.isStream()) {
                inspect(obj.streamGetDict(), obj.getStream(), where, self, item.content);
                push_children(obj.streamGetDict(), where);
            } else if (obj.isArray()) {
                for (int i = 0; i < obj.arrayGetLength(); ++i) {
                    const Object& v = obj.arrayGetNF(i);
                    if (v.isRef() || v.isDict() || v.isArray()) stack.push_back(Item{v.copy(), where, item.content});
                }
            }
        }
    };

    r.encrypted = xref->isEncrypted();
    stack.push_back(Item{xref->getTrailerDict()->copy(), "document"});
    walk();
    // Objects nothing points to still sit in the file (an incremental update that unlinks a script
    // leaves it there): report them too, so the findings describe the bytes that arrived.
    for (int num = 0; num < xref->getNumObjects(); ++num) {
        XRefEntry* e = xref->getEntry(num, false);
        if (!e || e->type == xrefEntryFree) continue;
        int gen = e->type == xrefEntryCompressed ? 0 : e->gen;
        if (visited.count({num, gen})) continue;
        stack.push_back(Item{Object(Ref{num, gen}), "unreferenced object"});
        walk();
    }
    return r;
}

std::optional<std::string> ObjectWalk::read_stream(int object, int generation, std::uint64_t max_bytes) {
    Object obj = impl_->doc->getXRef()->fetch(Ref{object, generation});
    if (!obj.isStream()) return std::nullopt;
    Stream* s = obj.getStream();
    s->reset();
    std::string out;
    unsigned char buf[65536];
    for (;;) {
        int n = s->doGetChars(sizeof buf, buf);
        if (n <= 0) break;
        // Decoding stops as soon as the limit is passed, so a compression bomb costs little.
        if (out.size() + static_cast<std::uint64_t>(n) > max_bytes) {
            s->close();
            return std::nullopt;
        }
        out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
    }
    s->close();
    return out;
}

}  // namespace mugaika::pdf
