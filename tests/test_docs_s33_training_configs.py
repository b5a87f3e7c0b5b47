"""docs/training.md names the typed configs of a method as importable from
pyg_fusion.experiments and defined in pyg_fusion.specs (components and
method_spec): each name it lists is both, so that a module move shows here."""
import importlib
import re
from pathlib import Path

TRAINING = Path(__file__).resolve().parent.parent / "docs" / "training.md"


def test_the_config_classes_training_md_names_are_where_it_says():
    text = " ".join(TRAINING.read_text().split())
    said = re.search(r"one per component \(`pyg_fusion\.experiments`: (.*?) composed into a "
                     r"`MethodSpec`;.*?defined in `pyg_fusion\.specs`, `components` and "
                     r"`method_spec`", text)
    assert said, "docs/training.md no longer names where the configs are: update this test"
    names = re.findall(r"`(\w+Config)`", said[1]) + ["MethodSpec"]
    assert len(names) == 7
    experiments = importlib.import_module("pyg_fusion.experiments")
    homes = {"pyg_fusion.specs.components", "pyg_fusion.specs.method_spec"}
    for name in names:
        cls = getattr(experiments, name)
        assert cls.__module__ in homes, (name, cls.__module__)
        assert getattr(importlib.import_module(cls.__module__), name) is cls
