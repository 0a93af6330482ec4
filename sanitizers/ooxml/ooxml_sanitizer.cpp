#include "ooxml_sanitizer.hpp"

#include <cctype>
#include <deque>
#include <map>
#include <set>

#include "allowlist.hpp"
#include "clean.hpp"
#include "image_parts.hpp"
#include "mugaika/reasons.hpp"
#include "opc.hpp"
#include "package_writer.hpp"
#include "tally.hpp"
#include "xml_safe.hpp"
#include "zip/safe_zip.hpp"

namespace mugaika {
namespace {

using namespace ooxml;

// OPC relationship ids are xsd:ID (an NCName): a letter or '_' first, then letters, digits, '.', '-',
// '_' (ASCII is all Office writes). Anything else is refused, so that an id can never look like an
// ordinary attribute value ("1", "true") to the reference checks.
bool valid_relationship_id(const std::string& id) {
    if (id.empty() || id.size() > 255) return false;
    auto c0 = static_cast<unsigned char>(id[0]);
    if (!std::isalpha(c0) && c0 != '_') return false;
    for (unsigned char c : id)
        if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return false;
    return true;
}

// One part we decided to keep, between the walk and the rebuild.
struct Kept {
    const zip::Entry* entry = nullptr;
    std::string content_type;
    std::string bytes;            // as read; XML parts are parsed, cleaned and re-serialised one at a time
    bool xml = false;
    std::vector<Relationship> rels;   // relationships that passed the allowlist
    std::set<std::string> input_ids;  // every relationship id the input declared for this part
};

class Rebuild {
public:
    Rebuild(const Input& in, Context& ctx)
        : ctx_(ctx), zip_(in.bytes, zip::ZipLimits::from(ctx.limits()), ctx),
          links_https_(ctx.option("links") == "https"), strip_metadata_(ctx.option("metadata") == "strip") {
        for (const auto& e : zip_.entries())
            if (!e.unsafe_name && !e.directory) by_name_[lower(e.name)] = &e;
    }

    Output run() {
        const zip::Entry* ct = entry_for("/[Content_Types].xml");
        if (!ct) throw SanitizeError(reason::malformed, "no [Content_Types].xml");
        types_ = ContentTypes::parse(zip_.read(*ct, ctx_));

        std::vector<Relationship> package_rels = relationships_of("/");
        find_main(package_rels);
        std::vector<Relationship> kept_package = select("/", package_rels);

        while (!queue_.empty()) {
            std::string part = queue_.front();
            queue_.pop_front();
            ctx_.check_time();
            load(part);
        }
        report_unreferenced();

        // Rebuild: only relationships whose target survived, every XML part cleaned and re-serialised.
        std::vector<OutPart> out;
        // Every relationship part of the output is written here, from these, and nothing else: an
        // internal target is written as the absolute name of the entry we kept, so that no reader
        // can resolve it to anything else.
        auto surviving = [&](const std::vector<Relationship>& rels) {
            std::vector<Relationship> s;
            for (const auto& r : rels) {
                if (r.external || r.anchor) {
                    s.push_back(r);
                } else if (auto k = kept_.find(lower(r.part)); k != kept_.end()) {
                    Relationship w = r;
                    w.target = target_for_entry(k->second.entry->name);
                    s.push_back(std::move(w));
                }
            }
            return s;
        };
        for (const auto& name : order_) {
            Kept& k = kept_.at(lower(name));
            ctx_.check_time();
            OutPart o;
            o.zip_name = k.entry->name;
            o.content_type = name == main_part_ ? std::string(main_->output_content_type) : k.content_type;
            o.rels = surviving(k.rels);
            if (k.xml) {
                XmlDoc doc = parse_xml(k.bytes, name);
                std::string().swap(k.bytes);
                KeptRels rels;
                for (const auto& r : o.rels) (r.external ? rels.external : rels.internal).insert(r.id);
                rels.input = std::move(k.input_ids);
                clean_part(doc.get(), PartScope{name, k.content_type, main_->family, links_https_, &rels, &tally_, &ctx_});
                o.bytes = serialise_xml(doc.get());
            } else {
                o.bytes = std::move(k.bytes);
                o.compress = false;   // images are compressed already
            }
            out.push_back(std::move(o));
        }
        if (main_->macro_enabled)
            ctx_.add("ooxml.macro_enabled", Action::converted,
                     "main part " + std::string(main_->content_type) + " written as " + std::string(main_->output_type),
                     "マクロ有効形式をマクロなしの形式(." + std::string(main_->output_type) + ")に変換しました。");
        tally_.flush(ctx_);
        return Output{"", std::string(main_->output_type), write_package(surviving(kept_package), out)};
    }

private:
    const zip::Entry* entry_for(const std::string& part) const {
        if (part.size() < 2) return nullptr;
        auto it = by_name_.find(lower(part.substr(1)));
        if (it == by_name_.end()) it = by_name_.find(lower(percent_decode(part.substr(1))));
        return it == by_name_.end() ? nullptr : it->second;
    }

    std::vector<Relationship> relationships_of(const std::string& part) {
        const zip::Entry* e = entry_for(rels_part_for(part));
        if (!e) return {};
        seen_entries_.insert(e);
        return parse_relationships(zip_.read(*e, ctx_), part);
    }

    void find_main(const std::vector<Relationship>& package_rels) {
        for (const auto& r : package_rels) {
            if (r.type != kOfficeDocument || r.external) continue;
            if (!main_part_.empty()) throw SanitizeError(zip::reason_ambiguous, "two main document parts");
            main_part_ = r.part;
        }
        if (main_part_.empty()) {
            for (const auto& r : package_rels)
                if (r.type.find("purl.oclc.org/ooxml") != std::string::npos)
                    throw SanitizeError(reason::unsupported, "Strict OOXML is not rebuilt (its namespaces escape the cleaning rules)");
            throw SanitizeError(reason::malformed, "no main document relationship");
        }
        if (!entry_for(main_part_)) throw SanitizeError(reason::malformed, "main document part " + main_part_ + " is missing");
        std::string ct = types_.of(main_part_);
        main_ = find_main_type(ct);
        if (!main_) throw SanitizeError(reason::unsupported, "main part content type " + ct + " is not rebuilt");
    }

    void drop(const std::string& source, const Relationship& r, std::string why = {}) {
        DropInfo info = classify_relationship(r.type, r.external);
        auto slash = r.type.rfind('/');
        std::string detail = r.type.substr(slash == std::string::npos ? 0 : slash + 1) + " -> " + r.target;
        if (!why.empty()) detail += " (" + why + ")";
        tally_.add(source, info.kind, Action::removed, detail, info.ja);
        if (!r.external && !r.part.empty()) reported_.insert(r.part);
    }

    // Keeps the relationships of `source` that are on the allowlist and queues their targets.
    std::vector<Relationship> select(const std::string& source, const std::vector<Relationship>& rels) {
        std::vector<Relationship> kept;
        std::set<std::string> ids;
        std::size_t n = 0;
        for (const auto& r : rels) {
            if (++n % 1024 == 0) ctx_.check_time();
            if (!valid_relationship_id(r.id) || !ids.insert(r.id).second) {
                drop(source, r, "missing, invalid or duplicate id");
                continue;
            }
            if (r.external) {
                if (r.type == kHyperlink && link_allowed(r.target, links_https_)) kept.push_back(r);
                else drop(source, r);
                continue;
            }
            if (r.anchor && r.type == kHyperlink) {   // a jump to a bookmark or slide in this document
                kept.push_back(r);
                continue;
            }
            if (r.part.empty()) {
                drop(source, r, "target outside the package");
                continue;
            }
            // A relationship part (or the content types) dressed as another part would ship the
            // sender's relationships unfiltered: the writer alone writes those names.
            const zip::Entry* target = entry_for(r.part);
            if (is_writer_owned(r.part) || (target && is_writer_owned(target->name))) {
                tally_.add(source, "ooxml.part", Action::removed,
                           "relationship or content-types part used as a " + types_.of(r.part) + " part: " + r.target,
                           "関係(.rels)または[Content_Types].xmlを別の部品として使う不正な参照を削除しました。");
                continue;
            }
            if (source == "/" && metadata_kind(r.type) != Metadata::none && strip_metadata_) {
                tally_.add("", "ooxml.metadata", Action::removed, r.target, "文書のプロパティ(作成者などのメタデータ)を削除しました。");
                reported_.insert(r.part);
                continue;
            }
            bool ok = source == "/" && r.type == kOfficeDocument ? r.part == main_part_
                                                                  : allowed(main_->family, r.type, types_.of(r.part));
            if (!ok) {
                drop(source, r);
                continue;
            }
            if (!entry_for(r.part)) {
                tally_.add(source, "ooxml.dangling", Action::removed, "missing part " + r.target,
                           "存在しない部品への参照を削除しました。");
                continue;
            }
            kept.push_back(r);
            if (queued_.insert(lower(r.part)).second) queue_.push_back(r.part);
        }
        return kept;
    }

    void load(const std::string& part) {
        const zip::Entry* e = entry_for(part);
        seen_entries_.insert(e);
        Kept k;
        k.entry = e;
        k.content_type = types_.of(part);
        std::string bytes = zip_.read(*e, ctx_);
        if (is_image_type(k.content_type)) {
            RebuiltPart picture = rebuild_image_part(part, k.content_type, bytes, ctx_, tally_);
            k.bytes = std::move(picture.bytes);
            k.content_type = std::move(picture.content_type);
        } else if (is_xml_type(k.content_type)) {
            k.bytes = std::move(bytes);   // parsed when rebuilt: only one DOM in memory at a time
            k.xml = true;
        } else {
            throw SanitizeError(reason::internal, "allowlisted part of unexpected type " + k.content_type);
        }
        std::vector<Relationship> all = relationships_of(part);
        for (const auto& r : all) k.input_ids.insert(r.id);
        k.rels = select(part, all);
        order_.push_back(part);
        kept_.emplace(lower(part), std::move(k));   // part names compare case-insensitively (OPC)
    }

    void report_unreferenced() {
        std::size_t n = 0;
        for (const auto& e : zip_.entries()) {
            if (++n % 1024 == 0) ctx_.check_time();
            if (e.directory || e.unsafe_name || seen_entries_.contains(&e)) continue;
            std::string part = "/" + e.name;
            if (lower(e.name) == "[content_types].xml" || reported_.contains(part)) continue;
            DropInfo info = classify_part_name(e.name);
            tally_.add(part, info.kind, Action::removed, "part not kept: " + e.name, info.ja);
        }
    }

    Context& ctx_;
    zip::SafeZip zip_;
    bool links_https_, strip_metadata_;
    std::map<std::string, const zip::Entry*> by_name_;
    ContentTypes types_;
    std::string main_part_;
    const MainType* main_ = nullptr;
    std::deque<std::string> queue_;
    std::set<std::string> queued_;
    std::vector<std::string> order_;
    std::map<std::string, Kept> kept_;   // by lower-cased part name
    std::set<const zip::Entry*> seen_entries_;
    std::set<std::string> reported_;
    Tally tally_;
};

class OoxmlSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "ooxml"; }
    std::vector<std::string> types() const override {
        return {"docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm",
                "pptx", "pptm", "potx", "potm", "ppsx", "ppsm", "office-encrypted"};
    }
    std::vector<OptionSpec> options() const override {
        return {
            {"links", "https", {"https", "drop"}, "hyperlinks kept: https = http(s) and mailto only, drop = none"},
            {"metadata", "keep", {"keep", "strip"}, "document properties (core, app, custom incl. 機密性 marks)"},
        };
    }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        if (in.type && in.type->id == "office-encrypted")
            throw SanitizeError(reason::encrypted, "password-protected Office document (EncryptedPackage)");
        Rebuild rebuild(in, ctx);
        return {rebuild.run()};
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_ooxml_sanitizer() { return std::make_shared<OoxmlSanitizer>(); }

}  // namespace mugaika
