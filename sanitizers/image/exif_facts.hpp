// The three things read out of EXIF (with libexif): which way up the picture is, when it was taken,
// and whether it says where. Nothing of EXIF is copied; with keep = "basic" a new, minimal EXIF
// block holding the date is written by us.
#pragma once

#include <string>
#include <string_view>

namespace mugaika::image {

struct ExifFacts {
    int orientation = 1;      // 1-8 (EXIF/TIFF meaning); 1 = as stored
    std::string date;         // "YYYY:MM:DD HH:MM:SS" (DateTimeOriginal, else DateTime), when well formed
    bool gps = false;         // a GPS directory with at least one entry
    bool readable = false;
};

// `exif` starts with "Exif\0\0". Never throws; an unreadable or oversized block gives {}.
ExifFacts read_exif(std::string_view exif);

// A well-formed "YYYY:MM:DD HH:MM:SS", else "".
std::string clean_exif_date(std::string_view text);

// A little-endian TIFF structure holding Orientation = 1 and DateTimeOriginal = `date` (already
// clean). Prefix it with "Exif\0\0" for a JPEG APP1 segment; PNG's eXIf takes it as it is.
std::string build_basic_exif(const std::string& date);

}  // namespace mugaika::image
