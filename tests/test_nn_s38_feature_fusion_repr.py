"""FeatureFusion prints its constructor's arguments, as PyG's layers do: its
repr named out_channels, which it does not take, so the printed model could
not be built again."""
import pytest

from pyg_fusion.nn.baselines import FeatureFusion


@pytest.mark.parametrize("args", [
    ({"a": 3, "b": 4}, "concat"), ({"a": 3, "b": 4}, "add"), ({"a": 3, "b": 4}, "add", 5),
    ({"a": 3, "b": 3}, "product"), ({"a": 3, "b": 4}, "product", 2), ({"a": 3}, "single")])
def test_a_printed_feature_fusion_builds_the_same_layer(args):
    model = FeatureFusion(*args)
    again = eval(repr(model), {"FeatureFusion": FeatureFusion})
    assert repr(again) == repr(model) and again.out_channels == model.out_channels
    assert (again.proj is None) == (model.proj is None)
