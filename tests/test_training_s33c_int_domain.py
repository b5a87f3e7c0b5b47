"""A VAD fit whose videos carry an int domain (``data.domain = 0``, which
check_test_videos accepts) or an int label (``data.y = 1``) reaches its test
scores: the test pass read both as tensors (``data.domain.view``) after all
of training."""
import copy

import torch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad_fit import fit_vad


def _with_domain(ds, domain, int_label=False):
    items = []
    for d in ds:
        d = copy.copy(d)
        d.domain = domain
        if int_label:
            d.y = int(d.y.view(-1)[0])
        items.append(d)
    return items


def _fit(tmp_path, name, int_label):
    kw = dict(num_videos=(8, 4), snippets=(16, 24), num_segments=8, log=False)
    root = str(tmp_path / "data")
    train = _with_domain(SyntheticVAD(root, "train", **kw), torch.tensor([0]), int_label)
    test = _with_domain(SyntheticVAD(root, "test", **kw), torch.tensor([0]), int_label)
    inch = {s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}
    torch.manual_seed(0)
    model = build_model("lego-row", "vad", inch, num_segments=8, num_powers=2)
    return fit_vad(model, train, test, out_dir=tmp_path / name, epochs=1, batch_size=4,
                   val_fraction=0.5, progress=False, checkpoint=False, lambda_deg=0.0)


def test_a_fit_with_int_domains_reaches_its_scores(tmp_path):
    kw = dict(num_videos=(8, 4), snippets=(16, 24), num_segments=8, log=False)
    root = str(tmp_path / "data")
    train = _with_domain(SyntheticVAD(root, "train", **kw), 0)
    test = _with_domain(SyntheticVAD(root, "test", **kw), 0)
    inch = {s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}
    model = build_model("lego-row", "vad", inch, num_segments=8, num_powers=2)
    r = fit_vad(model, train, test, out_dir=tmp_path / "run", epochs=1, batch_size=4,
                val_fraction=0.25, progress=False, checkpoint=False, lambda_deg=0.0)
    videos = r["task"].last_videos
    assert len(videos) == len(test) and {v["domain"] for v in videos} == {0}
    assert all(isinstance(v["domain"], int) for v in videos) and 0.0 <= r["auc"] <= 1.0


def test_a_fit_with_int_labels_is_the_fit_with_tensor_labels(tmp_path):
    # (the split read y.view before training, and the test pass after it)
    tensors, ints = _fit(tmp_path, "tensor", False), _fit(tmp_path, "int", True)
    for key in ("auc", "ap", "val_loss", "val_pseudo_auc"):
        assert ints[key] == tensors[key]
    assert [v["label"] for v in ints["task"].last_videos] == \
        [v["label"] for v in tensors["task"].last_videos]
