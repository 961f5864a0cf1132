"""Which font the diagrams use, and whether fontconfig can draw their Japanese with it.

Graphviz asks fontconfig for `FONT`; without a Japanese font the PNGs show boxes (tofu)
instead of the manual's words, so rendering checks first and says what to install.
This is the one module that runs the fontconfig tools (`fc-match`, `fc-list`).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

__all__ = ["FONT", "FONT_PACKAGE", "FontReport", "font_check", "font_covers"]

FONT = "IPAPGothic"
FONT_PACKAGE = "fonts-ipafont-gothic"


@dataclass(frozen=True)
class FontReport:
    """What fontconfig offers for the diagrams' font and for Japanese in general."""

    requested: str
    matched: str
    japanese: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True if the font fontconfig picks for the request supports Japanese."""
        return bool(self.matched) and self.matched in self.japanese

    def message(self) -> str:
        """Returns one line saying what was found, or what to install."""
        if self.ok:
            return f"font {self.requested}: {self.matched} (Japanese supported)"
        found = ", ".join(self.japanese[:3]) or "none"
        return (
            f"no Japanese font for {self.requested} (fontconfig picked {self.matched or 'nothing'};"
            f" Japanese fonts: {found}): install {FONT_PACKAGE} (apt-get install {FONT_PACKAGE})"
        )


def _fc(*args: str) -> str:
    program = shutil.which(args[0])
    if program is None:
        return ""
    result = subprocess.run(
        [program, *args[1:]], capture_output=True, text=True, check=False, timeout=30
    )
    return result.stdout if result.returncode == 0 else ""


def _families(text: str) -> list[str]:
    return [name.strip() for line in text.splitlines() for name in line.split(",") if name.strip()]


def font_check(font: str = FONT) -> FontReport:
    """Asks fontconfig which font renders `font` for Japanese and whether it covers Japanese.

    Runs `fc-match -f '%{family}' '<font>:lang=ja'` and `fc-list :lang=ja family`.
    """
    matched = _families(_fc("fc-match", "-f", "%{family}", f"{font}:lang=ja"))
    japanese = sorted(set(_families(_fc("fc-list", ":lang=ja", "family"))))
    return FontReport(font, matched[0] if matched else "", tuple(japanese))


def font_covers(text: str, font: str = FONT) -> bool:
    """True if fontconfig's match for `font` has a glyph for every non-ASCII character of text.

    Asks `fc-list '<font>:charset=<code points>' family`, which lists the font only if it
    covers them all.
    """
    points = sorted({ord(char) for char in text if ord(char) > 0x7F and not char.isspace()})
    if not points:
        return True
    charset = " ".join(f"{point:x}" for point in points)
    return bool(_families(_fc("fc-list", f"{font}:charset={charset}", "family")))
