"""docs/training.md names the training functions (fit_node, fit_vad,
fit_segmentation, fit_translation) by their bare names, which
pyg_fusion.training does not export: the page gives each one's module, and
says what the package itself exports."""
import importlib
import re
from pathlib import Path

import pyg_fusion.training

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("fit_node", "fit_vad", "fit_segmentation", "fit_translation")


def test_training_md_gives_each_fit_functions_module():
    text = " ".join((ROOT / "docs" / "training.md").read_text().split())
    for name in NAMES:
        paths = re.findall(rf"`(pyg_fusion\.training\.\w+)\.{name}`", text)
        assert paths, f"docs/training.md names no module of {name}"
        assert callable(getattr(importlib.import_module(paths[0]), name))
        assert not hasattr(pyg_fusion.training, name)  # why the page names the module
    exported = ", ".join(f"`{n}`" for n in pyg_fusion.training.__all__)
    assert f"`pyg_fusion.training` itself exports {exported.replace(', ', ' and ')} only" in text
