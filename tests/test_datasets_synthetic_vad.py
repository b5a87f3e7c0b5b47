"""SyntheticVAD: seeded and deterministic, its settings (Table 2's three,
fine sources, crops), fusion of its sources beats every single one, and one
feature width per source."""
import os

import numpy as np
import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD


def _synthetic(root, **kw):
    kw.setdefault("num_videos", (12, 8))
    return SyntheticVAD(str(root), log=False, **kw)


def test_synthetic_deterministic_and_layout(tmp_path):
    a = _synthetic(tmp_path / "a", split="test", seed=5)
    b = _synthetic(tmp_path / "b", split="test", seed=5)
    c = _synthetic(tmp_path / "c", split="test", seed=6)
    assert len(a) == 8
    for x, y in zip(a, b):
        assert x.video == y.video and torch.equal(x.x_i3d, y.x_i3d)
        assert torch.equal(x.frame_gt, y.frame_gt)
    assert not torch.equal(a[0].x_i3d, c[0].x_i3d)
    d = a[0]
    assert d.sources == ["c3d", "i3d", "swin"] and d.x_i3d.shape[0] == 32
    assert len({d[f"x_{s}"].size(1) for s in d.sources}) == 3  # different widths
    # the public layout was written and is read back through VADFeatures
    raw = a.raw_dir
    tag = os.listdir(raw)[0]
    assert os.path.isfile(os.path.join(raw, tag, "synthetic.json"))
    assert len(os.listdir(os.path.join(raw, tag, "domain0", "features", "i3d"))) == 12 + 8
    gt = np.load(os.path.join(raw, tag, "domain0", "list", "gt-test.npy"))
    assert torch.equal(torch.cat([x.frame_gt for x in a]), torch.from_numpy(gt).long())
    ys = [int(x.y) for x in a]
    assert ys == sorted(ys, reverse=True) and 0 < sum(ys) < len(ys)
    for x in a:  # abnormal videos hold abnormal frames, normal ones none
        assert bool(x.frame_gt.any()) == bool(x.y)


def test_synthetic_settings_and_domains(tmp_path):
    mm = _synthetic(tmp_path, setting="multi_modal")
    assert mm[0].sources == ["pose", "text", "visual"]
    md = _synthetic(tmp_path, setting="multi_domain", split="test")
    assert md.domain_names == ["domain0", "domain1"]
    dom = torch.cat([x.domain for x in md])
    assert set(dom.tolist()) == {0, 1}
    # shifted statistics: the domains' mean features differ
    m0 = torch.cat([x.x_i3d for x in md if int(x.domain) == 0]).mean(0)
    m1 = torch.cat([x.x_i3d for x in md if int(x.domain) == 1]).mean(0)
    assert float((m0 - m1).norm()) > 1.0
    fine = _synthetic(tmp_path, fine_sources={"swin": 4}, num_segments=None, split="test")
    x = fine[0]
    assert x.x_swin.size(0) > 3 * x.num_nodes and x.assign_swin.max() == x.num_nodes - 1
    crops = _synthetic(tmp_path, num_crops=3, crop_layout="files", crops="all", split="test")
    assert len(crops) == 3 * 8
    with pytest.raises(ValueError, match="setting"):
        _synthetic(tmp_path, setting="nope")


def test_synthetic_fusion_beats_every_single_source(tmp_path):
    """The generator's point: each source misses some anomaly types, so a
    linear probe (least squares on snippet labels) on all sources beats a
    probe on any one of them."""
    from sklearn.metrics import roc_auc_score

    kw = dict(num_videos=(30, 24), num_segments=None, seed=0, train_ground_truth=True)
    sets = {s: _synthetic(tmp_path, split=s, **kw) for s in ("train", "test")}

    def snippets(ds, sources):
        x = torch.cat([torch.cat([d[f"x_{s}"] for s in sources], 1) for d in ds]).double()
        y = torch.cat([d.frame_gt[::16] for d in ds]).double()
        return torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], 1), y

    sources = sets["test"][0].sources
    auc = {}
    for name, used in [*((s, [s]) for s in sources), ("all", sources)]:
        xtr, ytr = snippets(sets["train"], used)
        xte, yte = snippets(sets["test"], used)
        w = torch.linalg.lstsq(xtr, ytr[:, None]).solution
        auc[name] = roc_auc_score(yte.numpy(), (xte @ w).view(-1).numpy())
    best_single = max(auc[s] for s in sources)
    assert auc["all"] > best_single + 0.05, auc


def test_feature_widths_per_source(tmp_path):
    ds = SyntheticVAD(str(tmp_path), log=False)
    assert ds.num_source_features == {"c3d": 48, "i3d": 64, "swin": 80}
    assert ds[0].num_source_features == ds.num_source_features
    # PyG's single width reads x, which these graphs lack: an error, not 0
    with pytest.raises(ValueError, match="one feature width per source.*num_source_features"):
        ds.num_features
