"""RefineNetDecoder's in_channels, an int (every level's width) or the 4
levels' widths: anything else is named (a float, None or a bool was Python's
"'float' object is not iterable"), and an int below 1 as the int given."""
import numpy as np
import pytest

from pyg_fusion.nn.asym import RefineNetDecoder


@pytest.mark.parametrize("value", [8.0, None, True, "8888"])
def test_an_in_channels_of_no_int_nor_levels_is_named(value):
    with pytest.raises(TypeError, match=r"^in_channels must be an int or 4 ints \(the encoder "
                                        r"levels' channels\), got "):
        RefineNetDecoder(value, 3, features=8)


def test_an_int_below_one_is_named_as_given():
    # 'in_channels[0] must be >= 1': an entry of a list the caller never gave
    with pytest.raises(ValueError, match=r"^in_channels must be >= 1, got 0$"):
        RefineNetDecoder(0, 3, features=8)


def test_levels_as_a_list_or_an_array_still_read():
    assert RefineNetDecoder(np.array([8, 8, 16, 16]), 3, features=8).in_channels == (8, 8, 16, 16)
    assert RefineNetDecoder(np.int64(8), 3, features=8).in_channels == (8, 8, 8, 8)
