"""One rule for "a plain integer" (pyg_fusion._option_rules.is_int): the
settings' rules, the functional checks, the plotting values, the seed and the
tables' columns read it from one place."""
import numpy as np

from pyg_fusion import _option_rules
from pyg_fusion.functional import _checks
from pyg_fusion.visualize import _values


def test_one_is_int_everywhere():
    assert _checks.is_int is _option_rules.is_int is _values.is_int
    assert _checks.is_real is _option_rules.is_real
    is_int = _option_rules.is_int
    assert is_int(3) and is_int(np.int64(3)) and is_int(np.uint8(0))
    assert not any(map(is_int, (True, np.bool_(True), 3.0, np.float32(2), "3", None)))
