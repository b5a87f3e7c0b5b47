"""A pre_transform written as PyG's transforms are, a class of the user's
script with its forward, was known by its class name and attributes alone:
after an edit of forward, the data of the old code were loaded, without a
word."""
import numpy as np
import torch
import torch_geometric.transforms as T

from pyg_fusion.data import MultiSourceData
from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._identity import callable_identity
from pyg_fusion.transforms import RelationGraphs

SOURCE = '''
from torch_geometric.transforms import BaseTransform

class Scale(BaseTransform):
    def forward(self, data):
        data.x_a = data.x_a * FACTOR
        return data
'''


def _script(factor: str, constant: float = 1.0):
    # the user's script, its forward edited to multiply by `factor`
    namespace = {"__name__": "user_script", "FACTOR": constant}
    exec(SOURCE.replace("FACTOR", factor), namespace)
    return namespace["Scale"]()


def test_an_edited_forward_of_a_transform_class_is_another_cache(tmp_path):
    (tmp_path / "raw").mkdir()
    rng = np.random.default_rng(0)
    np.savetxt(tmp_path / "raw" / "a.csv", rng.normal(size=(12, 3)), delimiter=",")
    np.savetxt(tmp_path / "raw" / "y.csv", np.arange(12) % 2, fmt="%d")
    raw = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False)[0].x_a
    for factor, constant, expected in (("2", 1.0, 2.0), ("3", 1.0, 3.0), ("FACTOR", 5.0, 5.0),
                                       ("FACTOR", 7.0, 7.0), ("2", 1.0, 2.0)):
        ds = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv",
                             pre_transform=_script(factor, constant), log=False)
        torch.testing.assert_close(ds[0].x_a, raw * expected)


def test_the_identity_of_library_transforms_is_stable():
    def make():
        return T.Compose([RelationGraphs(k=3), T.NormalizeFeatures(attrs=["x_a"])])
    before = callable_identity(make())
    make()(MultiSourceData(x_a=torch.rand(6, 3)))  # a run leaves no trace in it
    assert callable_identity(make()) == before == callable_identity(make())
    assert callable_identity(_script("2")) == callable_identity(_script("2"))
