"""One rule for "a plain integer" (pyg_fusion._option_rules.is_int): the
settings' rules, the functional checks, the plotting values, the seed and the
tables' columns read it from one place."""
import numpy as np

from pyg_fusion import _option_rules


def test_one_is_int_everywhere():
    # every module imports these from _option_rules (checked by a grep: no module
    # defines or re-exports its own)
    import pathlib
    import re

    import pyg_fusion
    root = pathlib.Path(pyg_fusion.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"^def (is_int|is_real|is_finite_real)\(", text, re.M) or \
            path.name == "_option_rules.py", path
        for line in re.findall(r"^from [.\w]+ import [^\n]*\bis_(?:int|real|finite_real)\b.*$",
                               text, re.M):
            assert "_option_rules import" in line, (path, line)
    is_int = _option_rules.is_int
    assert is_int(3) and is_int(np.int64(3)) and is_int(np.uint8(0))
    assert not any(map(is_int, (True, np.bool_(True), 3.0, np.float32(2), "3", None)))


def test_an_int_beyond_a_floats_range_is_no_finite_number():
    # math.isfinite(10**400) raised OverflowError ("int too large to convert to
    # float"), naming no argument, in each of the copies of this check
    import pytest
    import torch

    from pyg_fusion._option_rules import check_rule, is_finite_real
    from pyg_fusion.datasets import clustered_features
    from pyg_fusion.functional import relation_graph
    assert is_finite_real(10 ** 300) and not is_finite_real(10 ** 400)
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, got 1000"):
        check_rule("lr", "positive_float", 10 ** 400)
    with pytest.raises(ValueError, match=r"^threshold must be a finite number, got 1000"):
        relation_graph(torch.randn(5, 3), threshold=10 ** 400)
    with pytest.raises(ValueError, match=r"^noise_std must be a finite number >= 0, got 1000"):
        clustered_features(10, 32, noise_std=10 ** 400)


def test_an_int_beyond_a_floats_range_is_refused_by_the_layers():
    # passed '< math.inf' (an exact comparison), then float() of it ended in an
    # OverflowError: LEGO(lambda_anchor=10**400) at LEGOFusion's float(); the
    # label-propagation head took scale=10**400 without a word
    import pytest

    from pyg_fusion.datasets.rgbd import _positive
    from pyg_fusion.nn import LEGO
    from pyg_fusion.nn.label_prop import LabelPropagationHead
    from pyg_fusion.training.vad import _check_loss_weight
    big = 10 ** 400
    with pytest.raises(ValueError, match=r"^lambda_anchor must be a finite number >= 0"):
        LEGO({"a": 3, "b": 3}, 2, lambda_anchor=big)
    with pytest.raises(ValueError, match=r"^scale must be a finite number > 0"):
        LabelPropagationHead(scale=big)
    with pytest.raises(ValueError, match=r"^lambda_deg must be a finite number >= 0"):
        _check_loss_weight("lambda_deg", big)
    with pytest.raises(ValueError, match=r"^depth_scale must be a finite number > 0"):
        _positive("depth_scale", big)
    assert _positive("depth_scale", 2) == 2.0


def test_the_degree_loss_names_an_alpha_beyond_a_floats_range():
    # math.isnan(10**400) raised OverflowError naming no argument
    import pytest

    from pyg_fusion.functional.loss import check_alpha
    with pytest.raises(ValueError, match=r"^alpha must be a number \(or None\), got 1000"):
        check_alpha(10 ** 400)
    for alpha in (None, 3, 0.5, float("inf"), -float("inf"), np.float32(0.1)):
        check_alpha(alpha)
