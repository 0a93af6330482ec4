#include "mugaika/quarantine/qr.hpp"

#include <qrencode.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace mugaika::quarantine {
namespace {

struct Matrix {
    int width = 0;
    std::vector<bool> dark;
    bool at(int x, int y) const { return x >= 0 && y >= 0 && x < width && y < width && dark[std::size_t(y) * width + x]; }
};

Matrix encode(std::string_view text) {
    std::string s(text);
    std::unique_ptr<QRcode, void (*)(QRcode*)> qr(QRcode_encodeString8bit(s.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
    if (!qr) throw std::runtime_error("QR encoding failed (text too long?)");
    Matrix m;
    m.width = qr->width;
    m.dark.resize(std::size_t(m.width) * m.width);
    for (std::size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (qr->data[i] & 1) != 0;
    return m;
}

}  // namespace

std::string qr_svg(std::string_view text, int pixels) {
    Matrix m = encode(text);
    const int quiet = 4, size = m.width + 2 * quiet;
    std::string path;
    for (int y = 0; y < m.width; ++y)
        for (int x = 0; x < m.width; ++x)
            if (m.at(x, y)) path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" aria-label=\"QR code\" width=\"" +
           std::to_string(pixels) + "\" height=\"" + std::to_string(pixels) + "\" viewBox=\"0 0 " + std::to_string(size) +
           " " + std::to_string(size) + "\" shape-rendering=\"crispEdges\"><rect width=\"" + std::to_string(size) +
           "\" height=\"" + std::to_string(size) + "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

std::string qr_terminal(std::string_view text) {
    Matrix m = encode(text);
    const int quiet = 2;
    std::string out;
    // Light modules are drawn (terminals are usually dark): a dark module is a blank.
    for (int y = -quiet; y < m.width + quiet; y += 2) {
        for (int x = -quiet; x < m.width + quiet; ++x) {
            bool top = !m.at(x, y), bottom = !m.at(x, y + 1);
            out += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
        }
        out += "\n";
    }
    return out;
}

}  // namespace mugaika::quarantine
