"""Every public method of the public layers says what it does (``help()``
printed nothing for GraphHead.normalize, a static method the head's callers
may use on their own graphs)."""
import inspect

import pytest
from torch import nn

import pyg_fusion.nn as N
import pyg_fusion.nn.asym as A
import pyg_fusion.nn.baselines as B


def _methods():
    found = {}
    for pkg in (N, A, B):
        for name in pkg.__all__:
            cls = getattr(pkg, name)
            if not (inspect.isclass(cls) and issubclass(cls, nn.Module)):
                continue
            for attr, value in vars(cls).items():
                fn = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
                if not attr.startswith("_") and inspect.isfunction(fn) and attr not in (
                        "forward", "reset_parameters", "message", "extra_repr"):
                    found[f"{cls.__name__}.{attr}"] = fn
    return sorted(found.items())


METHODS = _methods()


@pytest.mark.parametrize("name,fn", METHODS, ids=[n for n, _ in METHODS])
def test_every_public_method_has_a_docstring(name, fn):
    assert (fn.__doc__ or "").strip(), f"{name} has no docstring"
