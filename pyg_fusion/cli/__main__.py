"""Entry point of the ``pyg-fusion`` console script and of ``python -m
pyg_fusion.cli``. The process belongs to the command line here, which only
writes figures to files: matplotlib's non-interactive Agg backend is chosen
(unless ``MPLBACKEND`` says otherwise) before anything imports matplotlib.
Library calls never choose a backend."""
import os
import sys


def entry() -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    from . import main
    return main()


if __name__ == "__main__":
    sys.exit(entry())
