"""``python -m pyg_fusion``: the ``pyg-fusion`` command line."""
import sys

from .cli.__main__ import entry

if __name__ == "__main__":
    sys.exit(entry())
