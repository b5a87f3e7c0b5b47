"""A 1-D VAD feature file ``(T,)`` (one number per snippet) is refused with
how to fix it, one feature per snippet; it said only ``expected [T, F]``."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures


def _root(tmp_path, per_crop):
    raw = tmp_path / "raw"
    rng = np.random.default_rng(0)
    for s in ("a", "b"):
        (raw / s).mkdir(parents=True)
    names = [f"v{i}" for i in range(4)]
    for n in names:
        np.save(raw / "a" / f"{n}.npy", rng.normal(size=(6, 3)).astype(np.float32))
        b = rng.normal(size=6).astype(np.float32)  # (T,)
        np.save(raw / "b" / (f"{n}__0.npy" if per_crop else f"{n}.npy"), b)
    (raw / "train.list").write_text("\n".join(names[:2]) + "\n")
    return tmp_path


@pytest.mark.parametrize("per_crop", [False, True])
def test_a_one_dim_feature_file_is_refused_saying_how_to_fix_it(tmp_path, per_crop):
    root = _root(tmp_path, per_crop)
    b = "b/{name}__{crop}.npy" if per_crop else "b"
    with pytest.raises(ValueError, match=r"source 'b'.*got shape \(6,\).*one feature per "
                                         r"snippet.*a\[:, None\].*reshape\(-1, 1\)"):
        VADFeatures(str(root), "train", sources={"a": "a", "b": b},
                    train_list="train.list", num_abnormal={"train": 1}, labels="position",
                    num_segments=4, log=False)
