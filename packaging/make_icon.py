"""Render the app icon from four committed CC0 sample sprites: PNGs (256/128/64/48), .ico and .icns, deterministic."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
SPRITES = ROOT / "assets" / "samples" / "sprites"
OUT = ROOT / "assets" / "icons"
# A 2x2 "sprite sheet": what the app makes. Four Dungeon Crawl Stone Soup tiles (CC0 1.0, see assets/samples).
PICKS = ("mon/adder.png", "item/misc_phial.png", "item/gem_ivory.png", "mon/orb_of_ice.png")
PNG_SIZES = (256, 128, 64, 48)
ICO_SIZES = (256, 128, 64, 48, 32, 16)
BACKGROUND = (43, 33, 64, 255)  # deep violet
GRID = (88, 72, 122, 255)  # the sheet's cell lines


def _sprite(rel: str) -> Image.Image:
    """A sample sprite as RGBA, cropped to its opaque pixels."""
    img = Image.open(SPRITES / rel).convert("RGBA")
    return img.crop(img.getchannel("A").getbbox())


def render(size: int) -> Image.Image:
    """The icon at `size` px: rounded square, 2x2 cells, each sprite scaled by a whole factor where possible."""
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=BACKGROUND)
    margin = size // 12
    cell = (size - 2 * margin) // 2  # [cell x cell] per sprite
    line = max(1, size // 64)
    for i, rel in enumerate(PICKS):
        x = margin + (i % 2) * cell
        y = margin + (i // 2) * cell
        draw.rectangle((x, y, x + cell - 1, y + cell - 1), outline=GRID, width=line)
        inner = cell - 4 * line
        sprite = _sprite(rel)
        scale = inner // max(sprite.size)
        # Whole-number nearest-neighbour zoom keeps pixel art crisp; small sizes fall back to a smooth resize.
        if scale >= 1:
            sprite = sprite.resize((sprite.width * scale, sprite.height * scale), Image.NEAREST)
        else:
            fit = inner / max(sprite.size)
            sprite = sprite.resize((max(1, round(sprite.width * fit)), max(1, round(sprite.height * fit))),
                                   Image.LANCZOS)
        canvas.alpha_composite(sprite, (x + (cell - sprite.width) // 2, y + (cell - sprite.height) // 2))
    return canvas


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in PNG_SIZES:
        render(size).save(OUT / f"assetgan-{size}.png", optimize=True)
    # Windows: one rendering per size (not Pillow's resize of the largest); macOS: .icns from a 1024 px rendering.
    render(ICO_SIZES[0]).save(OUT / "assetgan.ico", sizes=[(s, s) for s in ICO_SIZES],
                              append_images=[render(s) for s in ICO_SIZES[1:]])
    render(1024).save(OUT / "assetgan.icns")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
