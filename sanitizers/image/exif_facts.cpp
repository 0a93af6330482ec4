#include "exif_facts.hpp"

#include <libexif/exif-data.h>

#include <cctype>
#include <memory>

namespace mugaika::image {
namespace {

// A camera writes a few KiB (64 KiB at most fits a JPEG segment); more is not EXIF we need to read.
constexpr std::size_t kMaxExifBytes = 1u << 20;

struct ExifDeleter {
    void operator()(ExifData* d) const { exif_data_unref(d); }
};

std::string ascii_of(ExifEntry* e) {
    if (!e || e->format != EXIF_FORMAT_ASCII || !e->data) return {};
    std::size_t n = 0;
    while (n < e->size && e->data[n]) ++n;
    return std::string(reinterpret_cast<const char*>(e->data), n);
}

void put16(std::string& s, unsigned v) {
    s.push_back(static_cast<char>(v & 0xff));
    s.push_back(static_cast<char>((v >> 8) & 0xff));
}
void put32(std::string& s, unsigned v) {
    put16(s, v & 0xffff);
    put16(s, v >> 16);
}
void entry(std::string& s, unsigned tag, unsigned type, unsigned count, unsigned value) {
    put16(s, tag);
    put16(s, type);
    put32(s, count);
    put32(s, value);
}

}  // namespace

std::string clean_exif_date(std::string_view t) {
    if (t.size() < 19) return {};
    static constexpr std::string_view pattern = "dddd:dd:dd dd:dd:dd";
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        bool digit = std::isdigit(static_cast<unsigned char>(t[i]));
        if (pattern[i] == 'd' ? !digit : t[i] != pattern[i]) return {};
    }
    if (t.substr(0, 4) == "0000") return {};
    return std::string(t.substr(0, 19));
}

ExifFacts read_exif(std::string_view exif) {
    ExifFacts f;
    if (exif.size() < 14 || exif.size() > kMaxExifBytes) return f;
    std::unique_ptr<ExifData, ExifDeleter> data(exif_data_new());
    if (!data) return f;
    // Read as written: libexif must not "repair" or add anything.
    exif_data_unset_option(data.get(), EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(data.get(), reinterpret_cast<const unsigned char*>(exif.data()),
                        static_cast<unsigned int>(exif.size()));
    ExifByteOrder order = exif_data_get_byte_order(data.get());
    ExifContent* ifd0 = data->ifd[EXIF_IFD_0];
    ExifContent* sub = data->ifd[EXIF_IFD_EXIF];
    ExifContent* gps = data->ifd[EXIF_IFD_GPS];
    f.readable = ifd0 && ifd0->count > 0;
    if (ExifEntry* e = ifd0 ? exif_content_get_entry(ifd0, EXIF_TAG_ORIENTATION) : nullptr;
        e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->data && e->size >= 2) {
        int o = exif_get_short(e->data, order);
        if (o >= 1 && o <= 8) f.orientation = o;
    }
    f.date = clean_exif_date(ascii_of(sub ? exif_content_get_entry(sub, EXIF_TAG_DATE_TIME_ORIGINAL) : nullptr));
    if (f.date.empty()) f.date = clean_exif_date(ascii_of(ifd0 ? exif_content_get_entry(ifd0, EXIF_TAG_DATE_TIME) : nullptr));
    f.gps = gps && gps->count > 0;
    return f;
}

std::string build_basic_exif(const std::string& date) {
    // "II*\0", IFD0 at 8: Orientation, ExifIFD pointer; the EXIF IFD: DateTimeOriginal; then the text.
    const unsigned ifd0 = 8, exif_ifd = ifd0 + 2 + 2 * 12 + 4, text = exif_ifd + 2 + 12 + 4;
    std::string s = std::string("II*\0", 4);
    put32(s, ifd0);
    put16(s, 2);
    entry(s, 0x0112, 3, 1, 1);           // Orientation SHORT = 1: the pixels are already upright
    entry(s, 0x8769, 4, 1, exif_ifd);    // ExifIFDPointer LONG
    put32(s, 0);
    put16(s, 1);
    entry(s, 0x9003, 2, 20, text);       // DateTimeOriginal ASCII[20]
    put32(s, 0);
    s += date.substr(0, 19);
    s.append(20 - std::min<std::size_t>(19, date.size()), '\0');
    return s;
}

}  // namespace mugaika::image
