#!/usr/bin/env sh
# Add assetgan to the desktop menu for this user (no root): .desktop entry, icons, and `assetgan` on ~/.local/bin.
#   ./install-desktop.sh            install (run it from the unpacked folder, wherever it lives)
#   ./install-desktop.sh --uninstall
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
BIN=$HOME/.local/bin
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$DATA/applications/assetgan.desktop" "$BIN/assetgan" "$BIN/assetgan-app"
  for s in 256 128 64 48; do rm -f "$DATA/icons/hicolor/${s}x$s/apps/assetgan.png"; done
  echo "removed the assetgan menu entry, icons and ~/.local/bin links"
  exit 0
fi
for s in 256 128 64 48; do
  mkdir -p "$DATA/icons/hicolor/${s}x$s/apps"
  cp "$HERE/share/icons/hicolor/${s}x$s/apps/assetgan.png" "$DATA/icons/hicolor/${s}x$s/apps/assetgan.png"
done
mkdir -p "$DATA/applications" "$BIN"
# Absolute paths: the menu must find the app wherever the folder was unpacked.
sed -e "s|^Exec=assetgan-app|Exec=\"$HERE/assetgan-app\"|" -e "s|^TryExec=assetgan-app|TryExec=$HERE/assetgan-app|" \
  "$HERE/share/applications/assetgan.desktop" > "$DATA/applications/assetgan.desktop"
ln -sf "$HERE/assetgan" "$BIN/assetgan"
ln -sf "$HERE/assetgan-app" "$BIN/assetgan-app"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
echo "installed: menu entry $DATA/applications/assetgan.desktop, links in $BIN (assetgan, assetgan-app)"
