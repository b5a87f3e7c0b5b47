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
