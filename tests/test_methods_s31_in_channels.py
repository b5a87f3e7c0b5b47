"""build_model's in_channels, a dict {source: width}, checked by name."""
import pytest

from pyg_fusion.methods import build_model


@pytest.mark.parametrize("in_channels", [[3, 2], (3, 2), 3])
def test_build_model_names_in_channels_that_are_no_dict(in_channels):
    # a list failed in dict(): "cannot convert dictionary update sequence
    # element #0 to a sequence"; an int "'int' object is not iterable"
    with pytest.raises(TypeError, match=r"in_channels must be a dict \{source: width\} "
                                        r"\(e\.g\. \{'a': 3, 'b': 2\}"):
        build_model("lego", "node", in_channels, num_classes=3)
    assert type(build_model("lego", "node", {"a": 3, "b": 2}, num_classes=3)).__name__ == \
        "NodeLEGO"


@pytest.mark.parametrize("in_channels,error,match", [
    # before: "unsupported operand type(s) for +: 'int' and 'str'" (graph-mean),
    # "type must be tuple of ints, but got float" (torch.empty), a layer of
    # 0 inputs built without a word
    ({"a": "3", "b": 2}, TypeError, r"in_channels\['a'\] must be an int, got '3'"),
    ({"a": 2.0, "b": 2}, TypeError, r"in_channels\['a'\] must be an int, got 2.0"),
    ({"a": 0, "b": 2}, ValueError, r"in_channels\['a'\] must be >= 1, got 0"),
    ({1: 3, "b": 2}, TypeError, r"in_channels must be keyed by source names \(str\), got 1"),
])
def test_build_model_names_a_width_that_is_no_count(in_channels, error, match):
    with pytest.raises(error, match=match):
        build_model("graph-mean", "node", in_channels, num_classes=3)


def test_build_model_takes_numpy_widths():
    import numpy as np
    import torch
    model = build_model("graph-mean", "node", {"a": np.int64(3), "b": 2}, num_classes=3)
    assert sum(p.numel() for p in model.parameters()) == sum(
        p.numel() for p in build_model("graph-mean", "node", {"a": 3, "b": 2},
                                       num_classes=3).parameters())
    assert all(isinstance(p, torch.nn.Parameter) for p in model.parameters())
