"""The argument docs that several relationship-graph functions and
transforms share, written once and put in their docstrings by
:func:`fill_doc` (so that ``help()`` and the API pages show them in full)."""
from __future__ import annotations

import textwrap

SIMILARITY_ARGS = """\
metric (str, optional): :obj:`"cosine"`, :obj:`"rbf"` or :obj:`"dot"`.
    (default: :obj:`"cosine"`)
nonneg (str, optional): :obj:`"clamp"`, :obj:`"shift"` or :obj:`None`.
    (default: :obj:`"clamp"`)
gamma (float, optional): RBF width. (default: :obj:`None`, :obj:`1 / d`)"""

KNN_ARG = """\
knn (str, optional): :obj:`"exact"`, :obj:`"approx"` or :obj:`"auto"`.
    (default: :obj:`"auto"`)"""


def args_of(obj) -> str:
    """The lines under ``Args:`` of ``obj``'s docstring, dedented."""
    lines = (obj.__doc__ or "").split("Args:\n", 1)[-1].split("\n")
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    return textwrap.dedent("\n".join(lines[:end]))


def fill_doc(**parts: str):
    """A decorator: each line ``{name}`` of the docstring becomes
    ``parts[name]``, indented as that line."""
    def fill(obj):
        if obj.__doc__:  # (None under python -OO)
            lines = obj.__doc__.split("\n")
            for i, line in enumerate(lines):
                name = line.strip()[1:-1]
                if line.strip() == "{" + name + "}" and name in parts:
                    lines[i] = textwrap.indent(parts[name], line[:len(line) - len(line.lstrip())])
            obj.__doc__ = "\n".join(lines)
        return obj
    return fill
