"""Entry point of the ``pyg-fusion`` console script and of ``python -m
pyg_fusion.cli`` (and ``python -m pyg_fusion``). The process belongs to the command line here, which only
writes figures to files: matplotlib's non-interactive Agg backend is chosen
(unless ``MPLBACKEND`` says otherwise) before anything imports matplotlib.
Library calls never choose a backend.

The console may not take UTF-8 (``LC_ALL=C``, ``PYTHONIOENCODING=ascii``, a
Windows code page), while help and tables hold ``±`` and paths may hold any
character: what the console cannot show is written in ASCII (``+-``, ``~``,
else Python's ``\\xe9`` escape) instead of ending the command with a
``UnicodeEncodeError``. Files are UTF-8 whatever the console
(:func:`pyg_fusion._files.atomic_write`). A reader of the output that closes
early (``| head``) ends the command quietly, with status 1."""
import codecs
import os
import sys

# The characters of the command line's own text, as ASCII.
_ASCII = {"±": "+-", "≈": "~", "×": "x", "§": "S", "→": "->", "–": "-", "—": "-", "…": "..."}
_ERRORS = "pyg_fusion.console"


def _as_ascii(exc: UnicodeError):
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    return "".join(_ASCII.get(c) or c.encode("ascii", "backslashreplace").decode("ascii")
                   for c in text), exc.end


def _console_streams() -> None:
    codecs.register_error(_ERRORS, _as_ascii)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):  # None or a replaced stream: left as it is
            stream.reconfigure(errors=_ERRORS)


def run_program(main) -> int:
    """The exit status of ``main()`` run as a program (the console script's,
    a benchmark script's ``__main__`` block), its output flushed. A reader
    that closes early (``| head``) ends it quietly with status 1, as the
    Python docs advise: stdout then points at devnull, so that the exit's
    flush raises nothing. Here, not in ``main()``, which may be called
    in-process.

    Args:
        main (Callable[[], int]): the program, returning its exit status.
    """
    try:
        status = main()
        sys.stdout.flush()  # here, not at exit, where its error would be printed
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status


def entry() -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    _console_streams()
    from . import main
    return run_program(main)


if __name__ == "__main__":
    sys.exit(entry())
