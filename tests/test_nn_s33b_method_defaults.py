"""The documented defaults of the public layers' methods (``forward``,
``dense``, ``expand_features``, ``from_batchnorm``, ...) are the signatures':
test_docstrings compares those of constructors and functions only, so a
method's ``(default: ...)`` could differ from its code unseen."""
import inspect

import pytest
from test_docstrings import OBJECTS, _PROSE, _args_entries, _documented_default, _same

AREAS = ("pyg_fusion.nn", "pyg_fusion.functional", "pyg_fusion.transforms")


def _methods():
    out = []
    for name, obj in OBJECTS:
        if not (inspect.isclass(obj) and name.startswith(AREAS)):
            continue
        for attr, raw in vars(obj).items():
            fn = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
            if attr.startswith("_") or not inspect.isfunction(fn):
                continue
            doc = inspect.getdoc(fn) or ""
            if "Args:" in doc.split("\n"):
                out.append((f"{name}.{attr}", fn, doc))
    return out


METHODS = _methods()


def test_methods_with_args_are_found():
    names = {n for n, _, _ in METHODS}
    assert {"pyg_fusion.nn.LEGO.forward", "pyg_fusion.nn.GraphPowerExpansion.forward",
            "pyg_fusion.nn.LabelPropagationHead.forward"} <= names


@pytest.mark.parametrize("name,fn,doc", METHODS, ids=[n for n, _, _ in METHODS])
def test_documented_method_defaults_are_the_signatures(name, fn, doc):
    entries = _args_entries(doc)
    params = inspect.signature(fn).parameters
    assert not [e for e in entries if e not in params], f"{name} documents no parameter"
    for p in params.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        assert p.name in entries, f"{name}: {p.name} undocumented"
        kind, text = entries[p.name]
        if p.default is p.empty:
            assert "(default:" not in text, f"{name}: {p.name} is required"
            continue
        assert "(default:" in text, f"{name}: {p.name} has a default, none documented"
        documented = _documented_default(text)
        assert documented is _PROSE or _same(documented, p.default), (
            f"{name}: {p.name} documented {documented!r}, signature {p.default!r}")
