"""[F, T] feature files (features first, MATLAB's column order) were read as
[T, F]: refused only after every video was read, as 'source 'i3d' has 6
features in video ... but 5 in video ...', which did not say why."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures, VADLayout

NAMES = ["Abuse001", "Normal002", "Arson003", "Normal004"]


def _read(tmp_path, shape):
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for k, n in enumerate(NAMES):
        np.save(raw / "i3d" / f"{n}.npy", rng.normal(size=shape(5 + k)).astype(np.float32))
    (raw / "train.csv").write_text("".join(f"i3d/{n}.npy\n" for n in NAMES))
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.csv", labels="name")
    return VADFeatures(str(tmp_path), "train", layout, num_segments=4, log=False,
                       force_reload=True)


def test_features_first_files_are_named_at_the_second_video(tmp_path):
    with pytest.raises(ValueError, match=r"video 'Normal002' .*: source 'i3d': every file so "
                                         r"far is 64 on its first axis and varies on its last "
                                         r"\(\[5, 6\]\): \[F, T\] files \(features first\)\? "
                                         r"they are read as \[T, F\]: save each as a.T"):
        _read(tmp_path, lambda t: (64, t))


def test_snippets_first_files_read_as_before(tmp_path):
    assert [g.x_i3d.shape[-1] for g in _read(tmp_path, lambda t: (t, 64))] == [64] * 4
