#!/bin/sh
# Add Simili to your application menu and `simili` to ~/.local/bin (per user, no root).
#   ./simili/install-desktop-entry.sh            install (run from anywhere)
#   ./simili/install-desktop-entry.sh --remove   undo
# Moving the simili folder later? Run it again from the new place.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$data/applications
icons=$data/icons/hicolor
bin=$HOME/.local/bin

if [ "${1:-}" = "--remove" ]; then
    rm -f "$apps/simili.desktop" "$icons/256x256/apps/simili.png" \
        "$icons/scalable/apps/simili.svg"
    [ -L "$bin/simili" ] && rm -f "$bin/simili"
    echo "Simili removed from the menu (your library and photos are untouched)."
    exit 0
fi

mkdir -p "$apps" "$icons/256x256/apps" "$icons/scalable/apps" "$bin"
cp "$here/share/simili.png" "$icons/256x256/apps/simili.png"
cp "$here/share/simili.svg" "$icons/scalable/apps/simili.svg"
sed -e "s|^Exec=.*|Exec=\"$here/simili\" %F|" -e "s|^TryExec=.*|TryExec=$here/simili|" \
    "$here/share/simili.desktop" > "$apps/simili.desktop"
ln -sfn "$here/simili" "$bin/simili"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" 2>/dev/null || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q "$icons" 2>/dev/null || true
echo "Simili is in your application menu; \`simili\` is in $bin (add it to PATH if needed)."
