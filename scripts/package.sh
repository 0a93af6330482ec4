#!/usr/bin/env bash
# The optional third command: builds the Debian package from this tree and installs it.
#   scripts/package.sh              install (Debian 12, as root), build Release in build-deb/, make
#                                   build-deb/package/mugaika_VERSION-1_ARCH.deb, apt-get install it
#   scripts/package.sh --no-install only make the package
# The package: /usr/bin/mugaika, /etc/mugaika/mugaika.toml (FHS paths), the system user, hardened units
# for `serve` and `officer-ui`, the monthly audit rotation (docs/ja/install.md, packaging/CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-deb -G Ninja -DCMAKE_BUILD_TYPE=Release -DMUGAIKA_BUILD_TESTS=OFF
cmake --build build-deb -j"$(nproc)"
rm -f build-deb/package/mugaika_*.deb
(cd build-deb && cpack -G DEB)
deb=$(ls build-deb/package/mugaika_*.deb)
echo "mugaika: built $deb"
if [ "${1:-}" != "--no-install" ]; then
  apt-get install -y "./$deb"
  echo "mugaika: installed; next steps in /usr/share/doc/mugaika/ja/install.md"
fi
