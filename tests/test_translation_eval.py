"""Translation evaluation: metrics, FID / KID from a local feature network,
figures and the ``pyg-fusion translate`` command line."""
import json

import numpy as np
import pytest
import scipy.linalg
import torch
from torch import nn
from torch_geometric.loader import DataLoader

from pyg_fusion.cli import main
from pyg_fusion.datasets.translation import SyntheticTranslation
from pyg_fusion.training.translation import TranslationModule
from pyg_fusion.training.translation_eval import (FeatureExtractor, evaluate_translation,
                                                  load_feature_extractor)


class _TinyFeatures(nn.Module):
    """A stand-in for Inception: a fixed random projection of pooled pixels."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.proj = nn.Linear(3 * 4 * 4, 6)

    def forward(self, x):
        return self.proj(nn.functional.adaptive_avg_pool2d(x, 4).flatten(1))


class _Scalar(nn.Module):
    def forward(self, x):
        return x.mean((1, 2, 3))


def _fid_reference(f1, f2):
    mu1, mu2 = f1.mean(0), f2.mean(0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def _kid_reference(f1, f2):
    # Unbiased MMD^2 with the cubic polynomial kernel, one subset = all.
    d = f1.shape[1]
    k = lambda a, b: (a @ b.T / d + 1) ** 3  # noqa: E731
    m = f1.shape[0]
    kxx, kyy, kxy = k(f1, f1), k(f2, f2), k(f1, f2)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                 + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2 * kxy.mean())


def _module(tmp_path, **kw):
    return TranslationModule(["shade", "depth"], ngf=4, num_downs=4, ndf=4,
                             d_layers=2, **kw)


def test_fid_kid_match_reference(tmp_path):
    ds = SyntheticTranslation(str(tmp_path), "test", 24, 16, seed=0,
                              modalities=["shade", "depth"], progress=False)
    module = _module(tmp_path)
    net = _TinyFeatures()
    path = tmp_path / "features.pt"
    torch.jit.save(torch.jit.script(net), str(path))
    extractor = load_feature_extractor(str(path), image_size=16)
    assert extractor.num_features == 6
    loader = DataLoader(ds, batch_size=10)
    res = evaluate_translation(module, loader, feature_extractor=extractor,
                               kid_subset_size=24)
    assert set(res) == {"shade", "depth", "ensemble"}
    batch = next(iter(DataLoader(ds, batch_size=24)))
    imgs = module.eval().translate(batch)
    with torch.no_grad():
        real = extractor(batch.y).double().numpy()
        for name in ("shade", "ensemble"):
            fake = extractor(imgs[name]).double().numpy()
            assert res[name]["fid"] == pytest.approx(
                _fid_reference(real, fake), rel=1e-3, abs=1e-6)
            assert res[name]["kid"] == pytest.approx(
                _kid_reference(real, fake), rel=1e-3, abs=1e-6)
            l1 = float((imgs[name] - batch.y).abs().mean())
            assert res[name]["l1"] == pytest.approx(l1, rel=1e-5)
            mse = float(((imgs[name] - batch.y) ** 2).mean())
            assert res[name]["psnr"] == pytest.approx(-10 * np.log10(mse),
                                                      rel=1e-4)


def test_feature_extractor_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        load_feature_extractor(str(tmp_path / "missing.pt"))
    bad = tmp_path / "garbage.pt"
    bad.write_bytes(b"not a network")
    with pytest.raises(ValueError, match="garbage.pt"):
        load_feature_extractor(str(bad))
    with pytest.raises(ValueError, match=r"\[B, D\]"):
        FeatureExtractor(_Scalar(), image_size=8)


def test_cli_train_and_evaluate(tmp_path, capsys, run_noise):
    out = tmp_path / "run"
    common = ["--root", str(tmp_path / "data"), "--image-size", "16",
              "--batch-size", "8", "--no-progress"]
    rc = main(["translate", "train", "--out", str(out), "--num-train", "8",
               "--num-val", "4", "--epochs", "1", "--ngf", "4", "--ndf", "4",
               *common])
    assert rc == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["metrics"]) == {"shade", "depth", "ensemble"}
    assert metrics["config"]["model"]["ngf"] == 4 and metrics["config"]["splits"]["num_val"] == 4
    ckpt = out / "checkpoints" / "last.ckpt"
    assert ckpt.is_file()
    feat = tmp_path / "inception.pt"
    torch.jit.save(torch.jit.script(_TinyFeatures()), str(feat))
    ev = tmp_path / "eval"
    # no data flags: the scenes of the training run (recorded in the checkpoint:
    # --image-size 16, --root ...), not the defaults
    rc = main(["translate", "evaluate", "--checkpoint", str(ckpt), "--out",
               str(ev), "--num-test", "6", "--inception", str(feat),
               "--inception-size", "16", "--no-progress"])
    assert rc == 0
    saved = json.loads((ev / "metrics.json").read_text())
    assert saved["config"]["data"] == metrics["config"]["data"]
    res = saved["metrics"]
    assert {"l1", "psnr", "ssim", "fid", "kid"} <= set(res["ensemble"])
    assert (ev / "translation.png").stat().st_size > 1000
    assert "| ensemble |" in (ev / "metrics.md").read_text()
    # --no-progress runs print only their own output (no PyG processing lines, no
    # KID memory warning)
    assert run_noise() == [] and capsys.readouterr().err == ""
    # User errors: one line, exit code 2.
    assert main(["translate", "evaluate", "--checkpoint",
                 str(tmp_path / "nope.ckpt"), "--out", str(ev)]) == 2
    assert "nope.ckpt" in capsys.readouterr().err
    # a data flag given overrides the recorded value (verb first, by dataset name)
    rc = main(["evaluate", "--dataset", "synthetic-translation", "--checkpoint", str(ckpt),
               "--out", str(tmp_path / "ev2"), "--num-test", "2", "--num-figure", "0",
               "--seed", "1", "--no-progress"])
    assert rc == 0
    again = json.loads((tmp_path / "ev2" / "metrics.json").read_text())["config"]["data"]
    assert again == {**metrics["config"]["data"], "seed": 1}
    assert main(["translate", "train", "--out", str(out), "--modalities",
                 "shade,albedo", *common]) == 2
    assert "albedo" in capsys.readouterr().err
    # repeated modalities and a missing --inception file fail before any scene is rendered
    fresh = tmp_path / "fresh"
    assert main(["translate", "train", "--out", str(out), "--modalities", "shade,shade",
                 "--root", str(fresh), "--image-size", "16", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "distinct" in err and len(err.strip().splitlines()) == 1 and not fresh.exists()
    assert main(["translate", "evaluate", "--checkpoint", str(ckpt), "--out", str(ev),
                 "--root", str(fresh), "--inception", str(tmp_path / "none.pt"),
                 "--no-progress"]) == 2
    assert "none.pt" in capsys.readouterr().err and not fresh.exists()
