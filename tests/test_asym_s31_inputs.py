"""AsymFusion's image data and models given arguments a user gets wrong:
each is refused before any work, naming the argument (or the file)."""
import numpy as np
import pytest


@pytest.mark.parametrize("seed", [-1, 1.5, np.int64(3), 2 ** 32])
def test_synthetic_rgbd_refuses_a_bad_seed_before_writing(tmp_path, seed):
    from pyg_fusion.datasets import SyntheticRGBD
    root = tmp_path / "scenes"
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 2\*\*32\)"):
        SyntheticRGBD(root, size=16, num_train=2, num_test=1, seed=seed, progress=False)
    # nothing generated: a numpy integer was refused only once every scene was written
    assert not (root / "rgb").exists()
