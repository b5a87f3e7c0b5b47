"""LEGO called on a Data / Batch names a bad source by the data's attribute
(data.x_<source>), the object the caller holds, where it named xs['<source>']."""
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import LEGO


def _data(**over):
    torch.manual_seed(0)
    attrs = {"x_a": torch.randn(5, 4), "x_b": torch.randn(5, 3), **over}
    return MultiSourceData(**attrs)


def test_nan_in_a_batch_names_the_datas_attribute():
    bad = torch.randn(3, 3)
    bad[1, 2] = float("nan")
    batch = next(iter(DataLoader([_data(), _data(x_a=torch.randn(3, 4), x_b=bad)],
                                 batch_size=2)))
    with pytest.raises(ValueError, match=r"^data\.x_b contains 1 NaN or Inf value\(s\)"):
        LEGO({"a": 4, "b": 3}, k=2)(batch)


def test_width_and_dtype_name_the_datas_attribute():
    lego = LEGO({"a": 4, "b": 3}, k=2)
    with pytest.raises(ValueError, match=r"^data\.x_b has width 2, the model was built for 3$"):
        lego(_data(x_b=torch.randn(5, 2)))
    with pytest.raises(TypeError, match=r"^data\.x_b is torch\.float64 but data\.x_a"):
        lego(_data(x_b=torch.randn(5, 3, dtype=torch.float64)))
    with pytest.raises(TypeError, match=r"^data\.x_a must be a floating-point tensor"):
        lego(_data(x_a=torch.ones(5, 4, dtype=torch.long)))


def test_a_dict_keeps_its_names():
    x = torch.randn(5, 4)
    x[0, 0] = float("inf")
    with pytest.raises(ValueError, match=r"^xs\['a'\] contains 1 NaN or Inf value\(s\)"):
        LEGO({"a": 4, "b": 3}, k=2)({"a": x, "b": torch.randn(5, 3)})
