"""Pseudo-anomalies spliced from normal videos (segment labels known) and the
VAD choice by their segment AUC (``choice="pseudo_auc"``)."""
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.metrics import roc_auc
from pyg_fusion.training.pseudo_anomalies import splice_pseudo_anomalies
from pyg_fusion.training.vad import WeaklySupervisedVAD, split_videos
from pyg_fusion.training.vad_fit import fit_vad


def _video(value: float, n: int = 16, frames: bool = True):
    # every segment of video v carries v in both sources: where a row came
    # from can be read off its value
    d = MultiSourceData(x_a=torch.full((n, 3), value), x_b=torch.full((n, 2), -value),
                        y=torch.zeros(1, dtype=torch.long))
    if frames:
        d.frame_gt = torch.zeros(n * 16)
    return d


def test_splicing_refuses_abnormal_videos():
    # documented as normal videos: an abnormal host's anomalies were labelled 0
    videos = [_video(v) for v in (1.0, 2.0, 3.0)]
    videos[1].y = torch.tensor([1])
    with pytest.raises(ValueError, match=r"^videos must be normal videos \(y = 0\), but "
                                         r"videos\[1\] is labelled abnormal$"):
        splice_pseudo_anomalies(videos)
    videos[1].y = torch.tensor([False])
    assert splice_pseudo_anomalies(videos)[1].shape == (6, 16)


def test_stretches_come_from_the_donor_and_are_labelled():
    videos = [_video(v) for v in (1.0, 2.0, 3.0)]
    batch, labels = splice_pseudo_anomalies(videos, per_pair=2, length=(0.25, 0.5), seed=3)
    assert labels.shape == (12, 16) and batch.num_graphs == 12  # 3 * 2 ordered pairs * 2
    assert bool((batch.y == 1).all()) and "frame_gt" not in batch
    hosts = [v for v in (1.0, 2.0, 3.0) for d in (1.0, 2.0, 3.0) if d != v for _ in range(2)]
    x_a = batch.x_a.view(12, 16, 3)[..., 0]
    x_b = batch.x_b.view(12, 16, 2)[..., 0]
    for i, host in enumerate(hosts):
        on = labels[i].bool()
        assert 4 <= int(on.sum()) <= 8
        # one contiguous stretch
        idx = on.nonzero().view(-1)
        assert int(idx[-1] - idx[0]) + 1 == idx.numel()
        assert bool((x_a[i][~on] == host).all()) and bool((x_b[i][~on] == -host).all())
        donor = float(x_a[i][on][0])
        assert donor != host and bool((x_a[i][on] == donor).all())
        assert bool((x_b[i][on] == -donor).all())  # the same stretch in every source
    # the inputs are untouched
    assert bool((videos[0].x_a == 1.0).all())


def test_per_snippet_attributes_are_not_spliced():
    # a video of exactly N snippets has a snippet_segment of N rows, which
    # PyG's node-attribute test takes for a segment attribute; the others'
    # have T != N rows (the multi-domain setting crashed on such a mix)
    videos = [_video(v) for v in (1.0, 2.0, 3.0)]
    for video, t in zip(videos, (16, 6, 24)):
        video.snippet_segment = torch.arange(t) * 16 // t
    batch, labels = splice_pseudo_anomalies(videos, seed=1)
    assert batch.num_graphs == 6 and labels.shape == (6, 16)
    assert "snippet_segment" not in batch and "frame_gt" not in batch
    x_a = batch.x_a.view(6, 16, 3)[..., 0]
    hosts = [v for v in (1.0, 2.0, 3.0) for d in (1.0, 2.0, 3.0) if d != v]
    for i, host in enumerate(hosts):
        on = labels[i].bool()
        assert bool((x_a[i][~on] == host).all())
        assert bool((x_a[i][on] != host).all()) and x_a[i][on].unique().numel() == 1


def test_finer_sources_are_spliced_on_the_same_stretch():
    # a frame-level source with 2, 3 and 1 units per segment in the three
    # videos: the stretch's segments hold the donor's units, however many
    videos = []
    for value, rate in ((1.0, 2), (2.0, 3), (3.0, 1)):
        video = _video(value, frames=False)
        video.x_f = torch.full((16 * rate, 2), -value)
        video.assign_f = torch.arange(16).repeat_interleave(rate)
        videos.append(video)
    rates = {1.0: 2, 2.0: 3, 3.0: 1}
    batch, labels = splice_pseudo_anomalies(videos, seed=2)
    for i in range(batch.num_graphs):
        d, on = batch.get_example(i), labels[i].bool()
        host, donor = float(d.x_a[~on][0, 0]), float(d.x_a[on][0, 0])
        assert bool((d.assign_f[1:] >= d.assign_f[:-1]).all())  # still sorted
        units = torch.bincount(d.assign_f, minlength=16)
        assert bool((units[on] == rates[donor]).all()) and bool((units[~on] == rates[host]).all())
        assert bool((d.x_f[on[d.assign_f], 0] == -donor).all())
        assert bool((d.x_f[~on[d.assign_f], 0] == -host).all())
    # batching offsets the finer source by the segments of the videos before
    assert int(batch.assign_f.max()) == 16 * batch.num_graphs - 1


def test_finer_source_needs_a_sorted_assignment():
    videos = [_video(v, frames=False) for v in (1.0, 2.0)]
    for video in videos:
        video.x_f = torch.zeros(32, 2)
        video.assign_f = torch.arange(16).repeat(2)  # interleaved, not sorted
    with pytest.raises(ValueError, match=r"videos\[0\].assign_f must be sorted"):
        splice_pseudo_anomalies(videos)
    del videos[1].assign_f
    videos[0].assign_f = torch.arange(16).repeat_interleave(2)
    with pytest.raises(ValueError, match=r"videos\[1\] lacks x_f or assign_f"):
        splice_pseudo_anomalies(videos)


def test_seeded_and_deterministic():
    videos = [_video(v, frames=False) for v in (1.0, 2.0)]
    a = splice_pseudo_anomalies(videos, seed=0)[1]
    assert torch.equal(a, splice_pseudo_anomalies(videos, seed=0)[1])
    assert not all(torch.equal(splice_pseudo_anomalies(videos, seed=s)[1], a) for s in range(1, 6))


@pytest.mark.parametrize("kwargs,match", [
    (dict(videos=[_video(1.0)]), "at least two normal videos"),
    (dict(videos=[_video(1.0), _video(2.0, n=8)]), "same number of segments"),
    (dict(length=(0.5, 0.25)), "length must be fractions"),
    (dict(length=(0.0, 0.25)), "length must be fractions"),
    (dict(per_pair=0), "per_pair must be an int"),
])
def test_bad_arguments(kwargs, match):
    args = {"videos": [_video(1.0), _video(2.0)], **kwargs}
    with pytest.raises(ValueError, match=match):
        splice_pseudo_anomalies(args.pop("videos"), **args)


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_pseudo"))
    kw = dict(num_videos=(16, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def _builder(train):
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return lambda: build_model("lego-row", "vad", inch, num_segments=8, num_powers=2)


FIT = dict(epochs=4, batch_size=4, val_fraction=0.25, progress=False, checkpoint=False,
           lambda_deg=0.0)


def test_choice_by_pseudo_auc_keeps_the_epoch_of_best_pseudo_auc(vad_data, tmp_path):
    train, test = vad_data
    r = fit_vad(_builder(train), train, test, out_dir=tmp_path, seed=2, choice="pseudo_auc",
                **FIT)
    # the tested model gives the chosen epoch's pseudo-AUC on the same pseudo-videos
    _, va = split_videos(train, 0.25, seed=2)
    normal = [train[i] for i in va if int(train[i].y) == 0]
    batch, labels = splice_pseudo_anomalies(normal, seed=2)
    model = r["task"].model.eval()
    with torch.no_grad():
        auc = roc_auc(model(batch)[0].reshape(-1), labels.reshape(-1))
    assert auc == pytest.approx(r["val_pseudo_auc"], abs=1e-6)
    assert r["val_score"] == r["val_pseudo_auc"]
    # the default choice reports the pseudo-AUC and keeps choosing by the loss
    d = fit_vad(_builder(train), train, test, out_dir=tmp_path / "loss", seed=2, **FIT)
    assert "val_pseudo_auc" in d and d["val_score"] == -d["val_loss"]


def test_choice_errors(vad_data, tmp_path):
    train, test = vad_data
    with pytest.raises(ValueError, match="choice must be one of"):
        fit_vad(_builder(train), train, test, out_dir=tmp_path, choice="auc", **FIT)
    with pytest.raises(ValueError, match="val_fraction must be > 0"):
        fit_vad(_builder(train), train, test, out_dir=tmp_path, choice="pseudo_auc",
                **{**FIT, "val_fraction": 0.0})
    with pytest.raises(ValueError, match="choice must be one of"):
        WeaklySupervisedVAD(torch.nn.Linear(1, 1), choice="pseudo")


def test_choice_by_pseudo_auc_with_a_finer_source(tmp_path):
    # the pseudo-videos splice the frame-level source too: fit_vad runs and
    # its pseudo-AUC is the model's on those videos
    kw = dict(num_videos=(12, 4), snippets=(16, 24), num_segments=8, log=False,
              fine_sources={"c3d": 2})
    train = SyntheticVAD(str(tmp_path / "data"), "train", **kw)
    test = SyntheticVAD(str(tmp_path / "data"), "test", **kw)
    assert "assign_c3d" in train[0]
    r = fit_vad(_builder(train), train, test, out_dir=tmp_path / "run", seed=1,
                choice="pseudo_auc", **{**FIT, "epochs": 2})
    _, va = split_videos(train, 0.25, seed=1)
    normal = [train[i] for i in va if int(train[i].y) == 0]
    batch, labels = splice_pseudo_anomalies(normal, seed=1)
    assert batch.x_c3d.size(0) == batch.assign_c3d.numel() > batch.num_nodes
    with torch.no_grad():
        auc = roc_auc(r["task"].model.eval()(batch)[0].reshape(-1), labels.reshape(-1))
    assert auc == pytest.approx(r["val_pseudo_auc"], abs=1e-6)


def test_the_split_and_the_splice_name_a_seed_that_is_no_seed(tmp_path):
    # torch's "manual_seed expected a long, but got str"; an empty dataset was
    # "the 0 training videos are all abnormal"
    from pyg_fusion.datasets import SyntheticVAD
    from pyg_fusion.training.pseudo_anomalies import splice_pseudo_anomalies
    from pyg_fusion.training.vad import split_videos
    train = SyntheticVAD(str(tmp_path), "train", num_videos=(4, 4), snippets=(16, 24),
                         num_segments=8, log=False)
    normal = [train[i] for i in range(len(train)) if int(train[i].y) == 0]
    for call in (lambda: split_videos(train, 0.25, seed="1"),
                 lambda: splice_pseudo_anomalies(normal, seed="1")):
        with pytest.raises(ValueError, match=r"seed must be an int in \[0, 2\*\*32\)"):
            call()
    with pytest.raises(ValueError, match="dataset holds no videos to split"):
        split_videos([], 0.25)
    import numpy as np
    assert split_videos(train, 0.25, seed=np.int64(3)) == split_videos(train, 0.25, seed=3)
