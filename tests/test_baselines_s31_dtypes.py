"""The fusion baselines refuse sources of mixed floating dtypes as LEGO does
(they were promoted silently), naming the argument; autocast's mix is taken."""
import pytest
import torch

from pyg_fusion.nn import LEGO
from pyg_fusion.nn.baselines import FeatureFusion, feature_fuse, graph_fuse_dense, \
    graph_fuse_sparse

A, B = torch.randn(4, 3), torch.randn(4, 3, dtype=torch.float64)
EI = torch.tensor([[0, 1], [1, 2]])
MIX = r" is torch.float64 but {} is torch.float32; expected one floating dtype"


@pytest.mark.parametrize("call, name, ref", [
    (lambda: LEGO({"a": 3, "b": 3}, 2)({"a": A, "b": B}), r"xs\['b'\]", r"xs\['a'\]"),
    (lambda: FeatureFusion({"a": 3, "b": 3})({"a": A, "b": B}), r"xs\['b'\]", r"xs\['a'\]"),
    (lambda: FeatureFusion({"a": 3, "b": 2}, "add")({"a": A, "b": B[:, :2]}), r"xs\['b'\]",
     r"xs\['a'\]"),
    (lambda: feature_fuse([A, B], "add"), r"xs\[1\]", r"xs\[0\]"),
    (lambda: graph_fuse_dense([torch.rand(3, 3), torch.rand(3, 3).double()], "mean"),
     r"graphs\[1\]", r"graphs\[0\]"),
    (lambda: graph_fuse_sparse([(EI, torch.rand(2)), (EI, torch.rand(2).double())], 3, "add"),
     r"graphs\[1\] edge_weight", r"graphs\[0\] edge_weight"),
])
def test_mixed_float_dtypes_are_refused_as_lego_refuses_them(call, name, ref):
    with pytest.raises(TypeError, match="^" + name + MIX.format(ref) + "$"):
        call()


def test_projected_sources_of_the_models_dtype_and_autocast_mixes_pass():
    fusion = FeatureFusion({"a": 3, "b": 2}, "add")
    with pytest.raises(TypeError, match=r"^xs\['a'\] is torch.float64 on cpu but the model's "
                                        r"parameters are torch.float32"):
        fusion({"a": A.double(), "b": B[:, :2]})
    assert fusion.double()({"a": A.double(), "b": B[:, :2]}).dtype == torch.float64
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert feature_fuse([A, A.bfloat16()], "concat").shape == (4, 6)
        w = graph_fuse_sparse([(EI, torch.rand(2)), (EI, torch.rand(2).bfloat16())], 3, "add")
        assert w[1].dtype == torch.float32
