"""``RelationGraphs`` named a source's bad features as ``relation_graph``'s
argument, ``x`` ("RelationGraphs, x_b: x contains 1 NaN or Inf value(s)"), or
as ``shared_support_graphs``'s (``xs['b']``), objects the caller never had. It
now checks them first under their name on the data, ``data.x_b``, as LEGO
does (``RelationGraphs: data.x_b contains ...``), through
``functional.relation.check_features``."""
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import LEGO
from pyg_fusion.transforms import RelationGraphs

_NAN = torch.randn(10, 4)
_NAN[2, 1] = float("nan")


@pytest.mark.parametrize("support", ["own", "shared"])
@pytest.mark.parametrize("x_b,error,message", [
    (_NAN, ValueError, r"^RelationGraphs: data\.x_b contains 1 NaN or Inf value\(s\)$"),
    (torch.ones(10, 4, dtype=torch.long), TypeError,
     r"^RelationGraphs: data\.x_b must be a floating-point tensor, got torch\.int64$"),
    (torch.randn(10, 0), ValueError, r"^RelationGraphs: data\.x_b has feature width 0"),
    (torch.randn(10, 4, 2), ValueError, r"^RelationGraphs: data\.x_b must have 2 dimensions"),
])
def test_the_transform_names_the_source(support, x_b, error, message):
    data = MultiSourceData(x_a=torch.randn(10, 4), x_b=x_b)
    with pytest.raises(error, match=message):
        RelationGraphs(k=3, support=support)(data)


def test_lego_names_it_the_same_way():
    lego = LEGO({"a": 4, "b": 4}, 8, k=3)
    with pytest.raises(ValueError, match=r"^data\.x_b contains 1 NaN"):
        lego(MultiSourceData(x_a=torch.randn(10, 4), x_b=_NAN))
