#!/usr/bin/env bash
# Build the one-folder desktop bundle on Linux and its archive assetgan-<version>-linux-x86_64.tar.gz.
#
#   packaging/build.sh            # -> packaging/dist/assetgan/ and packaging/dist/assetgan-<version>-linux-x86_64.tar.gz
#
# The build venv (packaging/build/venv, reused between builds) holds only the runtime, the app and PyInstaller:
# torch is never installed there, and packaging/check_bundle.py fails the build if torch got in anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PKG=$ROOT/packaging
VENV=$PKG/build/venv
DIST=$PKG/dist
PY=${PY:-python3}

t0=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
# Runtime + app deps and PyInstaller (the `bundle` extra); assetgan itself re-installed from this checkout each time.
"$VENV/bin/python" -m pip install -q '.[app,bundle]'
"$VENV/bin/python" -m pip install -q --no-deps --force-reinstall .
if "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "error: torch is installed in $VENV; delete that folder and build again" >&2
  exit 1
fi
t1=$(date +%s)

rm -rf "$DIST/assetgan"
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$DIST" --workpath "$PKG/build/pyi" \
  "$PKG/assetgan.spec"
t2=$(date +%s)

"$VENV/bin/python" "$PKG/check_bundle.py" "$DIST/assetgan"

# Desktop integration travels inside the folder: .desktop file, hicolor icons, an installer for the menu entry.
BUNDLE=$DIST/assetgan
install -Dm644 "$PKG/assetgan.desktop" "$BUNDLE/share/applications/assetgan.desktop"
for size in 256 128 64 48; do
  install -Dm644 "assets/icons/assetgan-$size.png" "$BUNDLE/share/icons/hicolor/${size}x$size/apps/assetgan.png"
done
install -m755 "$PKG/install-desktop.sh" "$BUNDLE/install-desktop.sh"
install -m644 "$PKG/BUNDLE_README.txt" "$BUNDLE/README.txt"

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)
NAME=assetgan-$VERSION-linux-$(uname -m)
rm -f "$DIST"/assetgan-*-linux-*.tar.gz
# The archive unpacks into assetgan-<version>/.
tar -C "$DIST" --transform "s,^assetgan,assetgan-$VERSION,S" -czf "$DIST/$NAME.tar.gz" assetgan
t3=$(date +%s)

echo "bundle   $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
echo "archive  $DIST/$NAME.tar.gz ($(du -h "$DIST/$NAME.tar.gz" | cut -f1))"
echo "time     venv $((t1 - t0)) s, pyinstaller $((t2 - t1)) s, check+archive $((t3 - t2)) s, total $((t3 - t0)) s"
