"""``pyg_fusion.data`` declares ``__all__`` as the packages do: ``from
pyg_fusion.data import *`` gave the modules ``copy`` and ``torch``, PyG's
``Data`` and ``subgraph``, ``annotations`` and the input checks beside
``MultiSourceData``."""
import inspect

import pyg_fusion.data as D


def test_star_import_gives_the_public_api():
    ns = {}
    exec("from pyg_fusion.data import *", ns)
    ns.pop("__builtins__")
    assert set(ns) == {"MultiSourceData", "source_batch", "source_names"}
    assert ns["MultiSourceData"] is D.MultiSourceData


def test_all_names_what_the_module_defines():
    own = {n for n, v in vars(D).items() if not n.startswith("_")
           and getattr(v, "__module__", None) == D.__name__}
    assert own <= set(D.__all__)
    assert all(callable(getattr(D, n)) and not inspect.ismodule(getattr(D, n))
               for n in D.__all__)
