#!/usr/bin/env bash
# Installs mugaika's dependencies from Debian 12 packages. Idempotent: apt-get skips what is there.
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --test   the same plus the independent tools the tests check against
#   scripts/install-deps.sh --build  the build dependencies only (the Dockerfile's build stage; the run
#                                    stage installs the .deb, whose Depends name the runtime libraries)
# The Dockerfile builds with the "build" list and runs the Debian package (its Depends come from the
# binaries' shared libraries); keep the package's Recommends (packaging/CMakeLists.txt) in step with "run".
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

build=(
  build-essential cmake ninja-build pkg-config ccache git ca-certificates
  libmagic-dev libzip-dev libxml2-dev libicu-dev libarchive-dev libgsf-1-dev
  # the members of every zip we write are deflated by libdeflate (sanitizers/zip/zip_writer.cpp)
  libdeflate-dev
  libpoppler-cpp-dev libpoppler-glib-dev libpoppler-private-dev libcairo2-dev libglib2.0-dev
  libgmime-3.0-dev libpoco-dev libsodium-dev libssl-dev libsqlite3-dev
  libtomlplusplus-dev nlohmann-json3-dev doctest-dev
  # the `mugaika` command's argument parser (header-only)
  libcli11-dev
  # the disarm workers' seccomp-bpf allowlists (gateway/sandbox/)
  libseccomp-dev
  # the quarantine's PostgreSQL backend: Poco's DataPostgreSQL CMake target needs libpq's headers
  libpq-dev
  # the officer UI's enrolment page: the authenticator app's QR code, drawn without JavaScript
  libqrencode-dev
  # pictures (docs/image.md): each format's own library, called directly; libheif decodes HEVC with libde265
  libjpeg-dev libpng-dev libgif-dev libtiff-dev libwebp-dev libheif-dev libde265-0 librsvg2-dev liblcms2-dev libexif-dev
  # the LibreOffice converter process (mugaika-office) talks to LibreOfficeKit (headers only)
  libreofficekit-dev
)
run=(
  libmagic1 file libseccomp2 libqrencode4
  # malware scanning: clamd, and freshclam to keep its signatures current ([scan] in the configuration)
  clamav-daemon clamav-freshclam
  # Japanese fonts so that PDFs that do not embed their Japanese fonts still render readable text
  fonts-ipafont-gothic fonts-ipafont-mincho fonts-noto-cjk
  # metric-compatible clones of the PDF base-14 fonts (Helvetica, Times, Courier, Symbol, Dingbats):
  # a PDF that names them without embedding them is redrawn with the same glyph widths, so its text
  # stays whole words for the reader and for pdftotext (DejaVu, the fallback, is wider)
  fonts-urw-base35
  # legacy Office, RTF, OpenDocument and HTML->PDF are converted by LibreOffice (docs/legacy.md); the
  # -nogui variants (no X11); Calc's missing UI files are worked around in the converter's profile
  libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui
)
test=(
  # independent readers the tests check our output with
  poppler-utils qpdf python3 unzip zip
  # real writers of the archives the tests feed in (7z, LZH via Java's jlha), and bsdtar for bench/archive
  p7zip-full jlha-utils libarchive-tools xz-utils bzip2
  # a real MTA in front of the gateway's LMTP server (tests/e2e/serve_postfix_test.cpp), and a client
  postfix swaks
  # the quarantine's tests: a private PostgreSQL server, a TLS certificate for the officer UI, the
  # real-browser test (Debian's chromium driven by playwright-core from npm) and an independent reader of
  # the enrolment page's QR code (zbarimg)
  postgresql openssl chromium zbar-tools
  # pictures made and read by independent tools (tests/sanitizers/image_*_test.cpp, pdf_images_test.cpp), an
  # Adobe RGB profile to embed, and the baselines of bench/image (vips copy, convert)
  imagemagick webp libtiff-tools libimage-exiftool-perl libheif-examples img2pdf libopenjp2-tools icc-profiles-free
  libvips-tools
  # pgrep/pkill: the package test stops the installed units' processes and checks none is left
  procps
)
# Node.js for playwright-core: Debian's nodejs and npm, unless a Node.js with npm is already there (a
# NodeSource nodejs bundles npm and conflicts with Debian's npm package).
command -v npm >/dev/null 2>&1 || test+=(nodejs npm)

wanted=("${build[@]}" "${run[@]}")
case "${1:-}" in
  --test) wanted+=("${test[@]}") ;;
  --build) wanted=("${build[@]}") ;;
esac

# postfix asks how to configure the host's mail system; the tests run their own private instance.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

apt-get update
apt-get install -y --no-install-recommends "${wanted[@]}"
