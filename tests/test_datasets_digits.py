import gzip
import hashlib
import os
import os.path as osp
from pathlib import Path

import numpy as np
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.datasets import MultiFeatureDigits
from pyg_fusion.datasets import digits as digits_mod
from pyg_fusion.datasets._split import stratified_masks

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "datasets" / "uci_mfeat"
SHARED = Path("/work/shared/data/uci-mfeat")
DIMS = {"fou": 76, "fac": 216, "kar": 64, "pix": 240, "zer": 47, "mor": 6}


@pytest.fixture(scope="module")
def digits_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("digits")
    MultiFeatureDigits(str(root), 0.1, log=False)
    return root


def _sha256_of_gz(path):
    with gzip.open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_bundled_checksums_match_readme():
    readme = (BUNDLED / "README.md").read_text()
    for view in DIMS:
        digest = _sha256_of_gz(BUNDLED / f"mfeat-{view}.csv.gz")
        assert f"{digest}  mfeat-{view}.csv" in readme


@pytest.mark.skipif(not SHARED.is_dir(), reason="the original CSVs are not on this machine")
def test_bundled_round_trip_is_exact():
    for view in DIMS:
        with gzip.open(BUNDLED / f"mfeat-{view}.csv.gz", "rb") as f:
            bundled = f.read()
        assert bundled == (SHARED / f"mfeat-{view}.csv").read_bytes()


def test_graph_shapes_and_values(digits_root):
    ds = MultiFeatureDigits(str(digits_root), 0.1, log=False)
    data = ds[0]
    assert isinstance(data, MultiSourceData)
    assert len(ds) == 1 and data.num_nodes == 2000 and ds.num_classes == 10
    assert data.sources == sorted(DIMS)
    for view, d in DIMS.items():
        x = data[f"x_{view}"]
        assert x.shape == (2000, d) and x.dtype == torch.float32
    assert data.y.dtype == torch.long
    assert torch.equal(torch.bincount(data.y), torch.full((10, ), 200))
    # values equal the file's numbers (independent reader: numpy)
    ref = np.loadtxt(BUNDLED / "mfeat-mor.csv.gz", delimiter=",", skiprows=1)
    assert torch.equal(data.x_mor, torch.from_numpy(ref[:, :-1]).float())
    assert torch.equal(data.y, torch.from_numpy(ref[:, -1]).long())


@pytest.mark.parametrize("rate,expected", [(0.01, 10), (0.05, 70), (0.1, 140), (1.0, 1400)])
def test_label_rate_sizes(digits_root, rate, expected):
    data = MultiFeatureDigits(str(digits_root), rate, log=False)[0]
    tr, va, te = data.train_mask, data.val_mask, data.test_mask
    assert int(tr.sum()) == expected and int(va.sum()) == 200 and int(te.sum()) == 400
    assert not (tr & va).any() and not (tr & te).any() and not (va & te).any()
    assert torch.equal(torch.bincount(data.y[tr], minlength=10),
                       torch.full((10, ), expected // 10))


def test_masks_seeded_nested_and_test_fixed(digits_root):
    a = MultiFeatureDigits(str(digits_root), 0.05, log=False)[0]
    b = MultiFeatureDigits(str(digits_root), 0.1, log=False)[0]
    c = MultiFeatureDigits(str(digits_root), 0.05, split_seed=1, log=False)[0]
    assert torch.equal(a.test_mask, b.test_mask) and torch.equal(a.val_mask, b.val_mask)
    assert bool((b.train_mask | ~a.train_mask).all())  # smaller rate is a subset
    assert not torch.equal(a.train_mask, c.train_mask)
    again = stratified_masks(a.y, 0.05, seed=0)
    assert torch.equal(again[0], a.train_mask)


def test_stratified_masks_at_least_one_per_class_and_errors():
    y = torch.tensor([0] * 5 + [1] * 50)
    tr, va, te = stratified_masks(y, 0.01, seed=3)
    assert int(tr[y == 0].sum()) == 1 and int(tr[y == 1].sum()) == 1
    with pytest.raises(ValueError, match="label_rate"):
        stratified_masks(y, 0.0)
    with pytest.raises(ValueError, match="label_rate"):
        stratified_masks(y, 1.5)
    with pytest.raises(ValueError, match="val_rate"):
        stratified_masks(y, 0.1, val_rate=0.5, test_rate=0.5)
    with pytest.raises(ValueError, match="y must"):
        stratified_masks(torch.tensor([], dtype=torch.long), 0.1)


def test_views_subset_standardize_and_cache(digits_root):
    ds = MultiFeatureDigits(str(digits_root), 0.1, views=["mor", "zer"], standardize=True,
                            log=False)
    data = ds[0]
    assert data.sources == ["mor", "zer"]
    assert torch.allclose(data.x_zer.mean(0), torch.zeros(47), atol=1e-4)
    assert torch.allclose(data.x_zer.std(0), torch.ones(47), atol=1e-3)
    path = ds.processed_paths[0]
    mtime = os.stat(path).st_mtime_ns
    ds2 = MultiFeatureDigits(str(digits_root), 0.1, views=["mor", "zer"], standardize=True,
                             log=False)
    assert ds2.processed_paths[0] == path and os.stat(path).st_mtime_ns == mtime
    other = MultiFeatureDigits(str(digits_root), 0.1, views=["mor"], log=False)
    assert other.processed_paths[0] != path
    with pytest.raises(ValueError, match="views"):
        MultiFeatureDigits(str(digits_root), views=["nope"], log=False)


def test_an_edited_raw_file_reprocesses(tmp_path):
    import gzip
    before = MultiFeatureDigits(str(tmp_path), views=["mor"], log=False)[0].x_mor[0, 0]
    path = tmp_path / "raw" / "mfeat-mor.csv.gz"
    lines = gzip.open(path, "rt").read().splitlines()
    lines[1] = ",".join(["999"] + lines[1].split(",")[1:])
    with gzip.open(path, "wt") as f:
        f.write("\n".join(lines) + "\n")
    after = MultiFeatureDigits(str(tmp_path), views=["mor"], log=False)[0].x_mor[0, 0]
    assert float(before) != 999 and float(after) == 999


def test_transform_applied(digits_root):
    ds = MultiFeatureDigits(str(digits_root), 0.1, log=False,
                            transform=lambda d: d.update({"seen": torch.ones(1)}) or d)
    assert "seen" in ds[0]


def _fake_uci_server(folder):
    # the original UCI layout: one whitespace-separated file per view, no
    # header, no labels
    for view in DIMS:
        with gzip.open(BUNDLED / f"mfeat-{view}.csv.gz", "rt") as f:
            lines = f.read().splitlines()[1:]
        text = "\n".join("  " + "  ".join(ln.split(",")[:-1]) for ln in lines)
        (folder / f"mfeat-{view}").write_text(text + "\n")
    return folder.as_uri() + "/mfeat-{view}"


def test_download_used_only_without_bundle(tmp_path, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    url = _fake_uci_server(served)
    monkeypatch.setattr(digits_mod, "bundled_dirs", lambda: [tmp_path / "absent"])
    monkeypatch.setattr(MultiFeatureDigits, "url", url)
    data = MultiFeatureDigits(str(tmp_path / "root"), 0.1, log=False)[0]
    ref = np.loadtxt(BUNDLED / "mfeat-kar.csv.gz", delimiter=",", skiprows=1)
    assert torch.equal(data.x_kar, torch.from_numpy(ref[:, :-1]).float())
    assert torch.equal(torch.bincount(data.y), torch.full((10, ), 200))


def test_download_failure_is_clear(tmp_path, monkeypatch):
    monkeypatch.setattr(digits_mod, "bundled_dirs", lambda: [tmp_path / "absent"])
    monkeypatch.setattr(MultiFeatureDigits, "url", tmp_path.as_uri() + "/missing-{view}")
    with pytest.raises(RuntimeError, match="no bundled copy.*downloading"):
        MultiFeatureDigits(str(tmp_path / "root"), log=False)


def test_bundled_found_through_env(tmp_path, monkeypatch):
    env = tmp_path / "data"
    (env / "uci_mfeat").mkdir(parents=True)
    for view in DIMS:
        name = f"mfeat-{view}.csv.gz"
        (env / "uci_mfeat" / name).write_bytes((BUNDLED / name).read_bytes())
    monkeypatch.setenv("PYG_FUSION_DATA", str(env))
    assert digits_mod.find_bundled() == env / "uci_mfeat"
    monkeypatch.delenv("PYG_FUSION_DATA")
    assert digits_mod.find_bundled() is not None and osp.isdir(digits_mod.find_bundled())
