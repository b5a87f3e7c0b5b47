"""How the tables' errors write the ``index_col`` to pass: in Python or as
pyg-fusion's flag, for one file among several keeping the others' values."""
from __future__ import annotations


class FileName(str):
    """A file's name among several (a view's or ``"labels"``) for the hints of
    :func:`index_col_arg`, with ``index_cols``, every file's ``index_col`` as
    given (``{name: value}``; a file not named reads ``"auto"``)."""

    def __new__(cls, name: str, index_cols=None):
        out = super().__new__(cls, name)
        out.index_cols = dict(index_cols or {})
        return out


def index_col_arg(value, file: str | None = None, flag: bool = False) -> str:
    """``index_col=value`` as the hints write it: in Python (``index_col=0``) or,
    with ``flag``, pyg-fusion's (``--index-col 0``); for ``file``, one file of
    several (a view's name or ``"labels"``), the per-file form, with the other
    files' values where ``file`` is a :class:`FileName` that holds them, so that
    the answer keeps them (``index_col={'a': 0, 'b': None}`` for ``b`` where
    ``index_col=0`` was given for every file; ``{'b': None}`` alone turned
    ``a`` back to ``"auto"``)."""
    cols = {} if file is None else {
        k: v for k, v in {**getattr(file, "index_cols", {}), str(file): value}.items()
        if k == file or not (isinstance(v, str) and v == "auto")}
    if not flag:
        return f"index_col={value!r}" if file is None else f"index_col={cols!r}"
    def text(v):
        return "none" if v is None else str(v)
    if file is None:
        return f"--index-col {text(value)}"
    return "--index-col " + ",".join(f"{k}={text(v)}" for k, v in cols.items())
