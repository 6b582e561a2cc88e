"""The monthly report's chart: read rate per notice (first day and final), as a PNG.

Chinese labels need a CJK font: one installed on the machine is used when matplotlib knows one
(Noto Sans CJK, WenQuanYi, Source Han, SimHei …), else the bundled WenQuanYi Micro Hei
(assets/fonts, Apache-2.0), so the labels never turn into empty boxes. Rendering is blocking:
async callers run `read_rate_chart` in a thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

BUNDLED_FONT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "wqy-microhei.ttc"
_KNOWN_CJK = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
              "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
              "Droid Sans Fallback")


@dataclass(frozen=True)
class Bar:
    label: str  # "#3 春游"
    first_day: float  # 0..1
    final: float  # 0..1


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The path of a font that has Chinese glyphs: the machine's, else the bundled one."""
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if entry.name in _KNOWN_CJK:
            return str(entry.fname)
    return str(BUNDLED_FONT)


def read_rate_chart(bars: Sequence[Bar], path: Path, *, title: str, first_label: str,
                    final_label: str, axis_label: str) -> Path:
    """Two bars per notice (first-day and final read rate, in percent), saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font = font_manager.FontProperties(fname=cjk_font())
    width = 0.38
    figure, axes = plt.subplots(figsize=(max(6.0, 1.1 * len(bars) + 2), 4.2), dpi=110)
    try:
        xs = list(range(len(bars)))
        axes.bar([x - width / 2 for x in xs], [100 * b.first_day for b in bars], width,
                 label=first_label, color="#9ecae1")
        axes.bar([x + width / 2 for x in xs], [100 * b.final for b in bars], width,
                 label=final_label, color="#3182bd")
        axes.set_xticks(xs)
        axes.set_xticklabels([b.label for b in bars], fontproperties=font, rotation=20,
                             ha="right")
        axes.set_ylim(0, 105)
        axes.set_ylabel(axis_label, fontproperties=font)
        axes.set_title(title, fontproperties=font)
        axes.legend(prop=font, loc="lower right")
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
    return path
