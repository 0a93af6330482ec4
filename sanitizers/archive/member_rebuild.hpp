// What every archive rebuild shares, whatever the format it reads: a member's path made safe, the
// member through the engine (Context::sanitize_child), its clean outputs placed under unique paths in a
// new zip, the members we hold ourselves recorded as held children, and the verdict at the end.
// The zip sanitizer and the libarchive formats (7z, RAR, LZH, tar) feed it member by member.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "../zip/zip_writer.hpp"
#include "mugaika/sanitizer.hpp"
#include "member_path.hpp"
#include "output_tree.hpp"

namespace mugaika::archive {

class MemberRebuild {
public:
    // `kind` prefixes the findings ("zip" keeps zip.held, zip.rebuilt, ...; "archive" for the others);
    // `label_ja` names the input's format in Japanese findings (「ZIP書庫」,「7z書庫」).
    MemberRebuild(Context& ctx, std::string kind, std::string label_ja);

    // Where a member goes: `path` is its decoded name, already free of traversal, absolute paths,
    // backslashes and control characters (zip::name_problem). Its folders are judged (member_path):
    // a dangerous folder name holds the member (nullopt, recorded), odd ones are made safe (a
    // finding). Callers prepare a member before reading its data, so a held one is never read.
    struct Placement {
        MemberPath path;
        std::string where;   // its safe path, as reports and the officer's screen show it
    };
    std::optional<Placement> prepare(const std::string& path, const std::string& shown, const std::string& index_where);

    // The member's bytes through the engine; its clean outputs into the new zip.
    void add(const Placement& at, const std::string& bytes, std::time_t mtime);

    // A member we hold ourselves (no engine run can take it): recorded as a held child would be.
    void hold(const std::string& where, const std::string& shown, const std::string& type, std::string_view code,
              const std::string& detail, const std::string& ja, bool encrypted = false);

    // The rebuilt zip, or SanitizeError when nothing came out clean: malformed when there were no
    // files at all, encrypted when every held member was held for want of a key, else child.held.
    // `files` is the number of file members the input had.
    std::string finish(std::size_t files);

    std::size_t kept() const { return kept_; }
    std::size_t held() const { return held_; }

private:
    Context& ctx_;
    std::string kind_;
    std::string label_ja_;
    zip::ZipWriter writer_;
    OutputTree tree_;
    std::size_t kept_ = 0, held_ = 0, held_encrypted_ = 0;
};

}  // namespace mugaika::archive
