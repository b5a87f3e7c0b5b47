"""fit_vad reads each training video once where reading it is a fixed
function of the stored data (no transform, or only a VAD dataset's
standardisation): every epoch z-scored every video again. A dataset with a
transform of the user's (maybe random) is read at every access, and both give
the same numbers, bitwise."""
import pytest
import torch

from pyg_fusion.datasets import StandardizeSources, SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad_fit import fit_vad

KW = dict(num_videos=(10, 6), snippets=(12, 16), num_segments=8, log=False)
FIT = dict(epochs=3, batch_size=4, val_fraction=0.3, progress=False, checkpoint=False, seed=2)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return str(tmp_path_factory.mktemp("read_once"))


def _fit(train, test, out):
    d = train.get(0)  # (the stored video: no read counted)
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return fit_vad(lambda: build_model("lego", "vad", inch, num_segments=8, num_powers=2),
                   train, test, out_dir=out, **FIT)


def test_standardised_videos_are_read_once(root, tmp_path, monkeypatch):
    train = SyntheticVAD(root, "train", standardize=True, **KW)
    test = SyntheticVAD(root, "test", standardize=True, **KW)
    calls = []
    forward = StandardizeSources.forward
    monkeypatch.setattr(StandardizeSources, "forward", lambda self, data: calls.append(
        self is train.standardizer) or forward(self, data))
    _fit(train, test, tmp_path)
    assert sum(calls) == len(train)  # 3 epochs: every video z-scored at each read before


def test_a_transform_of_the_users_is_applied_at_every_access(root, tmp_path):
    seen = []
    train = SyntheticVAD(root, "train", transform=lambda d: seen.append(1) or d, **KW)
    test = SyntheticVAD(root, "test", **KW)
    _fit(train, test, tmp_path)
    assert len(seen) > FIT["epochs"] * len(train) * (1 - FIT["val_fraction"])  # not frozen


def test_the_same_numbers_as_reading_at_every_access(root, tmp_path):
    runs = []
    for transform in (None, lambda d: d):  # (a transform: read at every access)
        train = SyntheticVAD(root, "train", standardize=True, transform=transform, **KW)
        test = SyntheticVAD(root, "test", standardize=True, **KW)
        runs.append(_fit(train, test, tmp_path / str(len(runs))))
    once, every = runs
    for key in ("auc", "ap", "val_loss", "val_video_auc", "epoch"):
        assert once[key] == every[key]
    for a, b in zip(once["task"].best_state.values(), every["task"].best_state.values()):
        assert torch.equal(a, b)
