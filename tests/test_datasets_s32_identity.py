"""A pre_transform's cache is named by the module-level values its code
reads too: editing such a constant processes the data again."""
import numpy as np
import torch
from torch_geometric.utils import to_undirected

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._identity import callable_identity

SOURCE = '''
def helper(x):
    return x * SCALE

def pre_transform(data):
    data.x_a = helper(data.x_a)
    return data
'''


def _module(scale):
    # the pre_transform of a user's script, its constant set to `scale`
    namespace = {"__name__": "user_script", "SCALE": scale}
    exec(SOURCE, namespace)
    return namespace


def _tables(root):
    (root / "raw").mkdir(parents=True)
    rng = np.random.default_rng(0)
    np.savetxt(root / "raw" / "a.csv", rng.normal(size=(12, 3)), delimiter=",")
    np.savetxt(root / "raw" / "y.csv", np.arange(12) % 2, fmt="%d")


def test_an_edited_module_constant_is_another_cache(tmp_path):
    # SCALE = 1.0 and then SCALE = 100.0 in the user's script named one
    # cache: the second run loaded the data of the first
    _tables(tmp_path)
    raw = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False)[0].x_a
    for scale in (1.0, 100.0, 1.0):
        pre = _module(scale)["pre_transform"]  # reads SCALE through a helper
        ds = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", pre_transform=pre, log=False)
        torch.testing.assert_close(ds[0].x_a, raw * scale)


def test_the_identity_of_a_function_is_stable_and_names_other_modules_functions():
    one, again = _module(2.0), _module(2.0)
    assert callable_identity(one["pre_transform"]) == callable_identity(again["pre_transform"])
    assert callable_identity(one["pre_transform"]) != callable_identity(
        _module(3.0)["pre_transform"])

    def pre(data):  # a library's function read from this module: known by its name
        data.edge_index = to_undirected(data.edge_index)
        return data

    parts = dict(callable_identity(pre)[1][-1])
    assert parts["to_undirected"] == ["function", "torch_geometric.utils.undirected.to_undirected"]
