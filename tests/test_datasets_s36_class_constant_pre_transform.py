"""A pre_transform class of the user's script is known by its forward's code
(95429f8), but a class constant it reads (factor = 2, read as self.factor)
or a property's body was not part of its identity: after editing either,
the next run loaded the data of the old value, without a word."""
import numpy as np
import torch

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._identity import callable_identity

SOURCE = '''
from torch_geometric.transforms import BaseTransform

class Scale(BaseTransform):
    factor = FACTOR

    @property
    def offset(self):
        return OFFSET

    def forward(self, data):
        data.x_a = data.x_a * self.factor + self.offset
        return data
'''


def _script(factor: str, offset: str):
    namespace = {"__name__": "user_script"}
    exec(SOURCE.replace("FACTOR", factor).replace("OFFSET", offset), namespace)
    return namespace["Scale"]()


def test_an_edited_class_constant_or_property_of_a_transform_is_another_cache(tmp_path):
    (tmp_path / "raw").mkdir()
    rng = np.random.default_rng(0)
    np.savetxt(tmp_path / "raw" / "a.csv", rng.normal(size=(12, 3)), delimiter=",")
    np.savetxt(tmp_path / "raw" / "y.csv", np.arange(12) % 2, fmt="%d")
    raw = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False)[0].x_a
    for factor, offset in (("2", "0"), ("3", "0"), ("3", "1"), ("2", "0")):
        ds = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv",
                             pre_transform=_script(factor, offset), log=False)
        torch.testing.assert_close(ds[0].x_a, raw * float(factor) + float(offset))


def test_the_identity_of_a_transform_class_stays_the_same_for_the_same_code():
    assert callable_identity(_script("2", "0")) == callable_identity(_script("2", "0"))
