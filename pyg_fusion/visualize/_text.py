"""Texts of the figures of :mod:`pyg_fusion.visualize`: lines that fit a
width, short labels, source names for mathtext (re-exported by
:mod:`._common`)."""
from __future__ import annotations

from matplotlib.axes import Axes


# The width of a character of matplotlib's DejaVu Sans, in em: some 0.5 in
# mixed text, more in capitals; for sizes chosen before any text is laid out.
CHAR_EM = 0.62


def fit_lines(text, width_in: float, fontsize: float, max_lines: int = 4) -> str:
    """``text`` broken at spaces into lines that ``width_in`` inches hold at
    ``fontsize`` points, as matplotlib measures them: a title longer than its
    figure was cut at both sides, and a panel's ran into its neighbour's. Its
    own line breaks stay; a ``$...$`` math span is never broken, a word wider
    than the line (a path) is broken between characters; past ``max_lines``
    lines, the last ends with an ellipsis."""
    from matplotlib.cbook import is_math_text
    limit = width_in * 72
    most = int(limit / (0.2 * fontsize)) + 1  # no character is narrower than 0.2 em

    def fits(s: str) -> bool:
        return len(s) <= most and text_width(s, fontsize) <= limit / 72

    def head(word: str) -> int:  # the length of the longest head of word that fits
        cut, over = 1, min(len(word), most + 1)
        while over - cut > 1:
            mid = (cut + over) // 2
            cut, over = (mid, over) if fits(word[:mid]) else (cut, mid)
        return cut

    lines: list[str] = []
    for line in str(text).split("\n"):
        parts = line.split("$")
        # an odd part lies inside $...$: its spaces held by a character no text holds
        words = "$".join(p.replace(" ", "\0") if i % 2 else p
                         for i, p in enumerate(parts)).split(" ")
        current = None
        for word in (w.replace("\0", " ") for w in words):
            if current is not None and fits(f"{current} {word}"):
                current = f"{current} {word}"
                continue
            if current is not None:
                lines.append(current)
            while not is_math_text(word) and len(word) > 1 and not fits(word) \
                    and len(lines) <= max_lines:
                lines.append(word[:head(word)])
                word = word[len(lines[-1]):]
            current = word
            if len(lines) > max_lines:
                break
        lines.append(current if current is not None else "")
        if len(lines) > max_lines:
            break
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = lines[:max_lines - 1] + [last[:head(last + "\u2026") - 1].rstrip() + "\u2026"]
    return "\n".join(lines)


def text_width(text: str, fontsize: float) -> float:
    """The width in inches of one line of ``text`` at ``fontsize`` points, as
    matplotlib draws it (``$...$`` as mathtext)."""
    from matplotlib.cbook import is_math_text
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path
    return text_to_path.get_text_width_height_descent(
        text, FontProperties(size=fontsize), ismath=is_math_text(text))[0] / 72


def axes_width(ax: Axes) -> float:
    """The width of ``ax`` in inches, as laid out before drawing."""
    return ax.get_position().width * ax.figure.get_figwidth()


def tex_name(name: str) -> str:
    """A source name for mathtext (``\\mathrm{...}``, underscores escaped)."""
    return r"\mathrm{" + str(name).replace("_", r"\_").replace(" ", r"\ ") + "}"


def shorten_all(texts, limit: int = 16) -> list[str]:
    """Each of ``texts`` cut to ``limit`` characters as :func:`shorten` does;
    when that makes distinct texts equal (``"category number 0"``, ``"... 1"``:
    all ``"category number\u2026"``), each is cut in its middle instead,
    keeping the start and the end that tells them apart."""
    texts = [str(t) for t in texts]
    cut = [shorten(t, limit) for t in texts]
    if len(set(cut)) == len(set(texts)):
        return cut
    head = (limit - 1) // 2
    return [t if len(t) <= limit else t[:head] + "\u2026" + t[len(t) - (limit - 1 - head):]
            for t in texts]


def shorten(text: str, limit: int = 16) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis ends a cut one): a
    long class name would otherwise squeeze the panel beside its tick."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"

