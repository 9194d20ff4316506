"""The app's home-screen icons as PNG, drawn without Pillow: the ELSOM mark (a white disc with the green «Э»-like
E of static/img/elsom-mark.svg) on the brand green, inside the safe zone of a maskable icon (80% of the side).

    python -m appclient.icons   # writes static/app/icons/icon-192.png, icon-512.png
"""

import struct
import zlib
from pathlib import Path

GREEN = (0x00, 0x99, 0x5D)
WHITE = (0xFF, 0xFF, 0xFF)
# The E of elsom-mark.svg in its 32x32 box, as rectangles (x0, y0, x1, y1).
MARK_BARS = [(10, 9, 13.5, 23), (10, 9, 22, 12), (13.5, 14.5, 21, 17.5), (10, 20, 22, 23)]
SIZES = (192, 512)
FOLDER = Path(__file__).resolve().parents[1] / "static" / "app" / "icons"


def _pixel(x: float, y: float) -> tuple[int, int, int]:
    """The colour at (x, y) in a unit square: the mark's 32-box scaled to the central 72%."""
    box = (x - 0.14) / 0.72 * 32, (y - 0.14) / 0.72 * 32
    if (box[0] - 16) ** 2 + (box[1] - 16) ** 2 > 15**2:
        return GREEN
    if any(x0 <= box[0] < x1 and y0 <= box[1] < y1 for x0, y0, x1, y1 in MARK_BARS):
        return GREEN
    return WHITE


def png(size: int) -> bytes:
    rows = bytearray()
    for row in range(size):
        rows.append(0)  # filter: none
        for column in range(size):
            rows.extend(_pixel((column + 0.5) / size, (row + 0.5) / size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    FOLDER.mkdir(parents=True, exist_ok=True)
    for side in SIZES:
        (FOLDER / f"icon-{side}.png").write_bytes(png(side))
