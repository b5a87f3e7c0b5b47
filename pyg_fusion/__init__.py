"""pyg_fusion: multi-modal feature fusion on PyTorch Geometric.

* LEGO fusion (Ding et al., ICLR 2025): relationship graphs per source, their
  multi-hop powers, and a small learnable operator that fuses them.
* AsymFusion (Wang et al., ACM MM 2020): one shared network with private
  BatchNorm per modality and parameter-free asymmetric channel shuffle and
  pixel shift.
"""
import importlib

from ._notices import PygFusionNotice

__version__ = "0.1.0"

_LAZY = ("functional", "nn", "data", "transforms", "specs", "methods", "datasets", "training",
         "experiments", "visualize", "cli")


def __getattr__(name):
    # Every subpackage pulls in torch, PyG, Lightning or matplotlib: each is
    # loaded on first use, so that `import pyg_fusion` (and `pyg-fusion
    # --help`) stays light.
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["__version__", "PygFusionNotice", *_LAZY]
