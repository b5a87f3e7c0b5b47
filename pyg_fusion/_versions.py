"""The versions that made a record: every ``results.json`` / ``sweep.json``
record (:func:`~pyg_fusion.experiments.records.make_records`), every checkpoint's
config (:func:`~pyg_fusion.experiments.run.run_method`) and the image tasks'
checkpoints and ``metrics.json`` hold them, so that a number can be traced to
the code that computed it."""
from __future__ import annotations


def library_versions() -> dict[str, str]:
    """``{package: version}`` of pyg_fusion, torch, torch_geometric, numpy
    and Python, as plain strings (``torch.__version__`` is a ``str``
    subclass, which a checkpoint loaded with ``weights_only=True`` refuses)."""
    import platform

    import numpy
    import torch
    import torch_geometric

    from . import __version__
    return {"pyg_fusion": str(__version__), "torch": str(torch.__version__),
            "torch_geometric": str(torch_geometric.__version__),
            "numpy": str(numpy.__version__), "python": platform.python_version()}
