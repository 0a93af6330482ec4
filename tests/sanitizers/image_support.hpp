// Shared by the image tests: pictures made by independent tools (ImageMagick's convert, cwebp,
// tiffcp, exiftool, heif-enc), the engine with chosen image options, and independent readers of the
// output (Python's standard library through image_check.py, ImageMagick's identify and compare,
// exiftool).
#pragma once

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"

namespace mugaika::test::image {

// Debian's ImageMagick by its full path: a `convert` earlier in PATH may be something else.
inline const std::string kConvert = "/usr/bin/convert";
inline const std::string kIdentify = "/usr/bin/identify";
inline const std::string kCompare = "/usr/bin/compare";

// Runs a shell command in `dir` and returns the bytes of `dir/file` it wrote.
inline std::string make_with(const TempDir& dir, const std::string& command, const std::string& file) {
    auto r = run("cd " + shell_quote(dir.path.string()) + " && " + command);
    REQUIRE_MESSAGE(r.status == 0, command);
    return read_whole(dir / file);
}

// convert ARGS file
inline std::string convert(const TempDir& dir, const std::string& args, const std::string& file) {
    return make_with(dir, kConvert + " " + args + " " + shell_quote(file), file);
}

inline Outcome sanitize(const std::string& bytes, const std::string& name, const SanitizerOptions& options = {}) {
    Policy p = Policy::defaults();
    if (!options.empty()) p.options["image"] = options;
    Engine e(builtin_registry(), p);
    return e.process(bytes, name);
}

inline bool has_finding(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

// image_check.py on the bytes: format, chunks / markers / blocks, trailing bytes.
inline nlohmann::json structure(const std::string& bytes) {
    TempDir t;
    write_file(t / "f", bytes);
    auto r = run("python3 " + shell_quote((source_dir() / "tests/sanitizers/image_check.py").string()) + " " +
                 shell_quote((t / "f").string()));
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out);
}

// identify's answer for one format string, e.g. "%w %h %n" (width, height, frames).
inline std::string identify(const std::string& bytes, const std::string& format) {
    TempDir t;
    write_file(t / "f", bytes);
    auto r = run(kIdentify + " -format " + shell_quote(format + "\\n") + " " + shell_quote((t / "f").string()) + " 2>/dev/null");
    return r.status == 0 ? r.out.substr(0, r.out.find('\n')) : std::string();
}

// Peak signal-to-noise ratio between two pictures as ImageMagick's compare sees them (1000 for equal).
inline double psnr(const std::string& a, const std::string& b) {
    TempDir t;
    write_file(t / "a", a);
    write_file(t / "b", b);
    auto r = run(kCompare + " -metric PSNR " + shell_quote((t / "a").string()) + " " + shell_quote((t / "b").string()) +
                 " null: 2>&1");
    if (r.out.find("inf") != std::string::npos) return 1000;
    return std::atof(r.out.c_str());
}

// exiftool's tags of the bytes as one JSON object, keyed by family-1 group: "IFD0:Orientation",
// "ExifIFD:DateTimeOriginal", "GPS:GPSLatitude", "XMP-dc:Description", "ICC_Profile:...", "File:Comment".
inline nlohmann::json exif_tags(const std::string& bytes) {
    TempDir t;
    write_file(t / "f", bytes);
    auto r = run("exiftool -j -G1 -a -n " + shell_quote((t / "f").string()));
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out).at(0);
}

// True when a tag of a group whose name starts with `group` is present ("XMP" covers "XMP-dc").
inline bool any_tag_group(const nlohmann::json& tags, const std::string& group) {
    for (auto it = tags.begin(); it != tags.end(); ++it)
        if (it.key().starts_with(group)) return true;
    return false;
}

}  // namespace mugaika::test::image
