// QR codes for the otpauth:// URI an authenticator app scans during enrolment (libqrencode). Drawn
// without JavaScript or fetched images: inline SVG for the web page, Unicode half blocks for a terminal.
#pragma once

#include <string>
#include <string_view>

namespace mugaika::quarantine {

// An <svg> element (black modules on white, a four-module quiet zone), `pixels` wide. Throws
// std::runtime_error when the text does not fit a QR code.
std::string qr_svg(std::string_view text, int pixels = 220);
// Lines of "█", "▀", "▄" and spaces, two modules per character row, dark on a light terminal background
// reversed: drawn as light modules so that it scans on the usual dark terminal.
std::string qr_terminal(std::string_view text);

}  // namespace mugaika::quarantine
