"""Draw Simili's icon: two overlapping rounded photo frames showing the same little landscape.

One geometry drives both outputs, so the SVG and the PNG always agree:

    python packaging/make_icon.py                 # resources/icons/simili.svg + simili.png (256 px)
    python packaging/make_icon.py --ico X.ico     # also a Windows icon (16..256 px)
    python packaging/make_icon.py --icns X.icns   # also a macOS icon

The PNG is rendered with Pillow at 4x and downsampled, so it is antialiased and reproducible
(byte-identical across runs with the same Pillow).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SIZE = 256  # the design grid; the SVG viewBox and the PNG size
SUPERSAMPLE = 4

INK = "#1F3B5C"  # frame outline
PAPER = "#FFFFFF"  # frame mat


@dataclass(frozen=True)
class Card:
    """A photo frame: a rounded mat with a rounded picture (sky, sun, two hills) inside."""

    cx: float
    cy: float
    angle: float  # degrees, clockwise (SVG convention)
    sky: str
    sun: str
    hill_back: str
    hill_front: str
    w: float = 148
    h: float = 118
    radius: float = 18
    stroke: float = 6
    inset: float = 14  # mat width inside the outline
    inner_radius: float = 7

    def picture(self) -> tuple[float, float, float, float]:
        """The picture rectangle (x0, y0, x1, y1) in card coordinates (origin top-left)."""
        return (self.inset, self.inset, self.w - self.inset, self.h - self.inset)

    def sun_circle(self) -> tuple[float, float, float]:
        """Centre and radius of the sun, in card coordinates."""
        x0, y0, x1, y1 = self.picture()
        return (x0 + 0.74 * (x1 - x0), y0 + 0.30 * (y1 - y0), 11)

    def hills(self) -> list[list[tuple[float, float]]]:
        """The two hill polygons (back, front), in card coordinates."""
        x0, y0, x1, y1 = self.picture()
        w, h = x1 - x0, y1 - y0

        def pt(fx: float, fy: float) -> tuple[float, float]:
            return (x0 + fx * w, y0 + fy * h)

        back = [pt(-0.05, 1.05), pt(0.30, 0.38), pt(0.62, 1.05)]
        front = [pt(0.28, 1.05), pt(0.62, 0.52), pt(1.05, 1.05)]
        return [back, front]


# The back card is the "original" in muted tones, the front one its lookalike in full colour.
CARDS = (
    Card(106, 104, -11, sky="#B9CBE4", sun="#F3E2B0", hill_back="#8FA6C6", hill_front="#6F89AE"),
    Card(152, 154, 7, sky="#5BC0EB", sun="#FFD166", hill_back="#2E8B7A", hill_front="#1E6F5C"),
)


# --------------------------------------------------------------------------- SVG


def _svg_card(card: Card, index: int) -> str:
    x0, y0, x1, y1 = card.picture()
    sx, sy, sr = card.sun_circle()
    hills = card.hills()
    half = card.stroke / 2

    def poly(points: list[tuple[float, float]], fill: str) -> str:
        coords = " ".join(f"{x:g},{y:g}" for x, y in points)
        return f'      <polygon points="{coords}" fill="{fill}"/>'

    transform = (
        f"translate({card.cx:g} {card.cy:g}) rotate({card.angle:g}) "
        f"translate({-card.w / 2:g} {-card.h / 2:g})"
    )
    return "\n".join(
        [
            f'  <g transform="{transform}">',
            f'    <clipPath id="pic{index}"><rect x="{x0:g}" y="{y0:g}" width="{x1 - x0:g}" '
            f'height="{y1 - y0:g}" rx="{card.inner_radius:g}"/></clipPath>',
            f'    <rect x="{half:g}" y="{half:g}" width="{card.w - card.stroke:g}" '
            f'height="{card.h - card.stroke:g}" rx="{card.radius - half:g}" fill="{PAPER}" '
            f'stroke="{INK}" stroke-width="{card.stroke:g}"/>',
            f'    <g clip-path="url(#pic{index})">',
            f'      <rect x="{x0:g}" y="{y0:g}" width="{x1 - x0:g}" height="{y1 - y0:g}" '
            f'fill="{card.sky}"/>',
            f'      <circle cx="{sx:g}" cy="{sy:g}" r="{sr:g}" fill="{card.sun}"/>',
            poly(hills[0], card.hill_back),
            poly(hills[1], card.hill_front),
            "    </g>",
            "  </g>",
        ]
    )


def render_svg() -> str:
    """The icon as a standalone SVG document."""
    body = "\n".join(_svg_card(card, i) for i, card in enumerate(CARDS))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}">\n'
        "  <title>Simili</title>\n"
        f"{body}\n</svg>\n"
    )


# --------------------------------------------------------------------------- PNG


def _draw_card(card: Card, scale: int) -> Image.Image:
    """The card, unrotated, on its own transparent layer at `scale` times the design size."""

    def s(v: float) -> int:
        return round(v * scale)

    def pts(points: list[tuple[float, float]]) -> list[tuple[int, int]]:
        return [(s(x), s(y)) for x, y in points]

    layer = Image.new("RGBA", (s(card.w), s(card.h)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rounded_rectangle(
        (0, 0, s(card.w) - 1, s(card.h) - 1),
        radius=s(card.radius),
        fill=PAPER,
        outline=INK,
        width=s(card.stroke),
    )
    # The picture is drawn whole, then masked to its rounded rectangle (the SVG's clipPath).
    picture = Image.new("RGBA", layer.size, card.sky)
    pdraw = ImageDraw.Draw(picture)
    sx, sy, sr = card.sun_circle()
    pdraw.ellipse((s(sx - sr), s(sy - sr), s(sx + sr), s(sy + sr)), fill=card.sun)
    back, front = card.hills()
    pdraw.polygon(pts(back), fill=card.hill_back)
    pdraw.polygon(pts(front), fill=card.hill_front)
    mask = Image.new("L", layer.size, 0)
    x0, y0, x1, y1 = card.picture()
    ImageDraw.Draw(mask).rounded_rectangle(
        (s(x0), s(y0), s(x1) - 1, s(y1) - 1), radius=s(card.inner_radius), fill=255
    )
    layer.paste(picture, (0, 0), mask)
    return layer


def render_png(size: int = SIZE) -> Image.Image:
    """The icon as an RGBA image of `size` pixels (drawn at 4x, then downsampled)."""
    scale = SUPERSAMPLE * size / SIZE
    big = round(SIZE * scale)
    canvas = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    for card in CARDS:
        layer = _draw_card(card, round(scale))
        # Pillow rotates counter-clockwise; the design angle is clockwise, as in SVG.
        rotated = layer.rotate(-card.angle, resample=Image.Resampling.BICUBIC, expand=True)
        x = round(card.cx * scale - rotated.width / 2)
        y = round(card.cy * scale - rotated.height / 2)
        canvas.alpha_composite(rotated, (x, y))
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


def _check_fits() -> None:
    """Every card corner stays inside the canvas (a design guard, not a runtime check)."""
    for card in CARDS:
        a = math.radians(card.angle)
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x = card.cx + dx * card.w / 2 * math.cos(a) - dy * card.h / 2 * math.sin(a)
            y = card.cy + dx * card.w / 2 * math.sin(a) + dy * card.h / 2 * math.cos(a)
            if not (0 <= x <= SIZE and 0 <= y <= SIZE):
                raise SystemExit(f"card at ({card.cx}, {card.cy}) leaves the canvas")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ICONS, help="folder for simili.svg/.png")
    parser.add_argument("--ico", type=Path, help="also write a Windows .ico here")
    parser.add_argument("--icns", type=Path, help="also write a macOS .icns here")
    args = parser.parse_args()
    _check_fits()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "simili.svg").write_text(render_svg(), encoding="utf-8")
    render_png().save(args.out / "simili.png", optimize=True)
    if args.ico:
        args.ico.parent.mkdir(parents=True, exist_ok=True)
        sizes = [(n, n) for n in (16, 24, 32, 48, 64, 128, 256)]
        render_png(256).save(args.ico, sizes=sizes)
    if args.icns:
        args.icns.parent.mkdir(parents=True, exist_ok=True)
        render_png(1024).save(args.icns)
    print(f"wrote {args.out / 'simili.svg'} and {args.out / 'simili.png'}")


if __name__ == "__main__":
    main()
