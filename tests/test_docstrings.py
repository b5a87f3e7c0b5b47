"""Every public class and function of ``pyg_fusion.nn`` (with ``nn.asym``
and ``nn.baselines``), ``pyg_fusion.functional``, ``pyg_fusion.methods``,
``pyg_fusion.datasets``, ``pyg_fusion.training`` and
``pyg_fusion.experiments`` documents each argument as PyG does:
``name (type, optional): ... (default: ...)``."""
import importlib
import inspect
import re

import pytest

# packages: what they export; modules: what they define themselves
PACKAGES = ("nn", "functional", "nn.asym", "nn.baselines", "methods", "datasets",
            "experiments")
MODULES = ("training.trainer", "training.accelerators", "training.node", "training.vad",
           "training.vad_fit",
           "training.pseudo_anomalies", "training.metrics",
           "training.segmentation", "training.translation", "training.translation_eval",
           "experiments.options", "experiments.components", "experiments.config",
           "experiments.data", "experiments.run",
           "experiments.checkpoints", "experiments.image_config", "experiments.image_run",
           "experiments.segment_run", "experiments.translate_run")


def _public(mod, own: bool = False):
    for name in sorted(dir(mod)):
        obj = getattr(mod, name)
        where = getattr(obj, "__module__", None) or ""
        if (not name.startswith("_") and callable(obj) and not inspect.ismodule(obj)
                and (where == mod.__name__ if own else where.startswith("pyg_fusion"))):
            yield f"{mod.__name__}.{name}", obj


def _objects():
    seen = {}
    for name in PACKAGES:
        for key, obj in _public(importlib.import_module(f"pyg_fusion.{name}")):
            seen.setdefault(id(obj), (key, obj))
    for name in MODULES:
        for key, obj in _public(importlib.import_module(f"pyg_fusion.{name}"), own=True):
            seen.setdefault(id(obj), (key, obj))
    return sorted(seen.values(), key=lambda kv: kv[0])


def _args_entries(doc: str) -> dict[str, str]:
    """name -> (its parenthesis, its text) of the Args section."""
    lines = doc.split("\n")
    start = lines.index("Args:")
    entries, cur = {}, None
    for line in lines[start + 1:]:
        if line and not line.startswith("    "):
            break
        m = re.match(r"^    (\**\w+) \(([^)]*)\):(.*)$", line)
        if m:
            cur = m.group(1).lstrip("*")
            entries[cur] = [m.group(2), m.group(3)]
        elif cur is not None and line.startswith("        "):
            entries[cur][1] += " " + line.strip()
    return entries


@pytest.mark.parametrize("name,obj", _objects(), ids=lambda v: str(v)[:60])
def test_args_are_documented_with_type_and_default(name, obj):
    fn = obj.__init__ if inspect.isclass(obj) else obj
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if not params:
        return
    doc = inspect.getdoc(obj) or ""
    assert "Args:" in doc.split("\n"), f"{name} has no Args section"
    entries = _args_entries(doc)
    for p in params:
        assert p.name in entries, f"{name}: no Args entry '{p.name} (type): ...'"
        kind, text = entries[p.name]
        if p.default is not p.empty:
            assert "optional" in kind and "(default:" in text, (
                f"{name}: {p.name} has a default, so '(type, optional)' and '(default: ...)'")
