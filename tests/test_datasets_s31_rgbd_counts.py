import numpy as np
import pytest


def test_synthetic_rgbd_takes_numpy_counts_and_stores_plain_ints(tmp_path):
    # its own check refused np.int64(16) ('size must be a positive int'),
    # where every other dataset takes numpy's integers through check_int
    from pyg_fusion.datasets import SyntheticRGBD
    got = SyntheticRGBD(tmp_path / "a", size=np.int64(16), num_train=np.int32(2),
                        num_test=np.int64(1), progress=False)
    want = SyntheticRGBD(tmp_path / "b", size=16, num_train=2, num_test=1, progress=False)
    assert got.meta == want.meta
    assert all(type(got.meta[k]) is int for k in ("size", "num_train", "num_test"))


@pytest.mark.parametrize("kw, exc, match", [
    (dict(size=True), TypeError, r"size must be an int, got True"),
    (dict(num_train=2.0), TypeError, r"num_train must be an int, got 2.0"),
    (dict(num_test=0), ValueError, r"num_test must be >= 1, got 0"),
    (dict(size=8), ValueError, r"size must be >= 16 pixels, got 8"),
])
def test_synthetic_rgbd_names_a_bad_count(tmp_path, kw, exc, match):
    from pyg_fusion.datasets import SyntheticRGBD
    args = {**dict(size=16, num_train=2, num_test=1, progress=False), **kw}
    with pytest.raises(exc, match=match):
        SyntheticRGBD(tmp_path, **args)
    assert not any(tmp_path.iterdir())
