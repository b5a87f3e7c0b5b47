"""AsymFusion image translation: generator, discriminator, data, training."""
import os

import numpy as np
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets.translation import (SyntheticTranslation,
                                             TaskonomyFolder, render_scene)
from pyg_fusion.nn.asym.patchgan import PatchGANDiscriminator, gan_loss
from pyg_fusion.nn.asym.translator import (AsymFusionTranslator,
                                           AsymTranslationFusion,
                                           ModalityNorm2d)
from pyg_fusion.training.translation import TranslationModule


def _count(module):
    return sum(p.numel() for p in module.parameters())


# ------------------------------------------------------------------ generator
@pytest.mark.parametrize("num_modalities", [2, 3])
@pytest.mark.parametrize("norm", ["batch", "instance"])
def test_generator_shapes(num_modalities, norm):
    torch.manual_seed(0)
    gen = AsymFusionTranslator(num_modalities, ngf=8, num_downs=4, norm=norm)
    # Mixed channel counts: 1-channel inputs are tiled to 3.
    xs = [torch.rand(2, 1 if m % 2 else 3, 16, 16) * 2 - 1
          for m in range(num_modalities)]
    out = gen(xs)
    assert len(out.branches) == num_modalities
    for b in out.branches:
        assert b.shape == (2, 3, 16, 16)
        assert b.abs().max() <= 1
    assert out.ensemble.shape == (2, 3, 16, 16)
    w = torch.softmax(gen.alpha, 0)
    ref = sum(w[m] * out.branches[m] for m in range(num_modalities))
    torch.testing.assert_close(out.ensemble, ref)


def test_generator_parameter_count_shared_vs_separate():
    single = AsymFusionTranslator(1, ngf=8, num_downs=4)
    for m in (2, 3):
        fused = AsymFusionTranslator(m, ngf=8, num_downs=4)
        norm_params = sum(_count(mod.norms[0]) for mod in single.modules()
                          if isinstance(mod, ModalityNorm2d))
        # A shared generator adds only one set of norm parameters (and one
        # ensemble weight) per extra modality ...
        assert _count(fused) == _count(single) + (m - 1) * (norm_params + 1)
        # ... against m times the parameters for separate generators.
        assert _count(fused) < 1.05 * _count(single) < m * _count(single)


def test_gradients_reach_every_modality_norm():
    torch.manual_seed(0)
    for norm in ("batch", "instance"):
        gen = AsymFusionTranslator(3, ngf=8, num_downs=4, norm=norm)
        xs = [torch.rand(2, 3, 16, 16) for _ in range(3)]
        out = gen(xs)
        sum(b.square().mean() for b in out.branches).backward()
        norms = [m for m in gen.modules() if isinstance(m, ModalityNorm2d)]
        assert len(norms) == 2 + len(gen.fusion) + 3  # encoder, fusion, decoder
        for mod in norms:
            for n in mod.norms:
                assert n.weight.grad is not None and n.bias.grad is not None
                assert n.weight.grad.abs().sum() > 0, (norm, mod)
        # The exchange carries modality 0's loss into the private encoder
        # norms of the other two modalities.
        gen.zero_grad()
        gen(xs).branches[0].square().mean().backward()
        for n in gen.down_norm[1].norms:
            assert n.weight.grad.abs().sum() > 0
        solo = AsymFusionTranslator(3, ngf=8, num_downs=4, norm=norm,
                                    shuffle=False, use_shift=False)
        solo(xs).branches[0].square().mean().backward()
        assert solo.down_norm[1].norms[1].weight.grad is None


def test_fusion_is_asymmetric_and_single_modality_is_plain():
    torch.manual_seed(0)
    block = AsymTranslationFusion(10, 2).eval()
    a, b = torch.randn(1, 10, 6, 6), torch.randn(1, 10, 6, 6)
    ab = block([a, b])
    ba = block([b, a])
    assert not torch.allclose(ab[0], ba[0])  # modality order matters
    # Switching the exchange off leaves per-modality residual blocks.
    plain = AsymTranslationFusion(10, 2, shuffle=False, use_shift=False).eval()
    plain.load_state_dict(block.state_dict())
    solo = AsymTranslationFusion(10, 1).eval()
    solo.conv.load_state_dict(block.conv.state_dict())
    solo.norm.norms[0].load_state_dict(block.norm.norms[0].state_dict())
    torch.testing.assert_close(plain([a, b])[0], solo([a])[0])


def test_generator_bad_input():
    gen = AsymFusionTranslator(2, ngf=8, num_downs=3)
    with pytest.raises(ValueError, match="2 modality"):
        gen([torch.rand(1, 3, 8, 8)])
    with pytest.raises(ValueError, match="divisible"):
        gen([torch.rand(1, 3, 12, 12)] * 2)
    with pytest.raises(ValueError, match="channels"):
        gen([torch.rand(1, 2, 8, 8)] * 2)
    with pytest.raises(TypeError, match="list"):
        gen(torch.rand(1, 3, 8, 8))
    with pytest.raises(ValueError, match="norm"):
        AsymFusionTranslator(2, norm="layer")


# -------------------------------------------------------------- discriminator
def test_patchgan_shapes_and_loss():
    d = PatchGANDiscriminator(5, ndf=8, num_layers=2)
    cond, img = torch.rand(2, 2, 32, 32), torch.rand(2, 3, 32, 32)
    logits = d(cond, img)
    assert logits.shape == (2, 1, 6, 6)
    d3 = PatchGANDiscriminator(6, ndf=8, num_layers=3, norm="instance")
    assert d3(torch.rand(1, 6, 64, 64)).shape == (1, 1, 6, 6)
    with pytest.raises(ValueError, match="channels"):
        d(torch.rand(2, 4, 32, 32))
    z = torch.zeros(3)
    torch.testing.assert_close(gan_loss(z, True), torch.tensor(np.log(2.0),
                                                               dtype=torch.float32))
    torch.testing.assert_close(gan_loss(z + 1, False, "lsgan"), torch.tensor(1.0))


# ----------------------------------------------------------------------- data
def test_synthetic_scenes_consistent_and_seeded(tmp_path):
    ds = SyntheticTranslation(str(tmp_path), "train", 6, 16, seed=3,
                              progress=False)
    assert len(ds) == 6
    assert sorted(os.listdir(tmp_path / "processed"))  # written to disk
    # progress=False also hides PyG's "Processing..." lines (PyG prints none under pytest)
    assert ds.log is False
    again = SyntheticTranslation(str(tmp_path), "train", 6, 16, seed=3,
                                 progress=False)  # read back
    other = SyntheticTranslation(str(tmp_path), "test", 6, 16, seed=3,
                                 progress=False)
    d0 = ds[0]
    torch.testing.assert_close(d0.x_depth, again[0].x_depth)
    assert not torch.equal(d0.y, other[0].y)
    assert d0.x_normal.shape == (1, 3, 16, 16) and d0.y.shape == (1, 3, 16, 16)
    # Modalities share the geometry: normals are unit vectors, shading is
    # the ambient term plus the cosine of the normal with one light vector.
    n = d0.x_normal[0] * 2 - 1
    torch.testing.assert_close(n.norm(dim=0), torch.ones(16, 16),
                               atol=1e-4, rtol=0)
    s = (d0.x_shade[0, 0] - 0.15) / 0.85
    lit = s > 1e-3
    A = n.permute(1, 2, 0)[lit].double()
    light = torch.linalg.lstsq(A, s[lit].double()[:, None]).solution
    torch.testing.assert_close(A @ light, s[lit].double()[:, None],
                               atol=1e-4, rtol=0)
    # Batching stacks images.
    batch = next(iter(DataLoader(ds, batch_size=4)))
    assert batch.x_shade.shape == (4, 1, 16, 16) and batch.y.shape[0] == 4
    sub = SyntheticTranslation(str(tmp_path), "train", 6, 16, seed=3,
                               modalities=["depth", "shade"], progress=False)
    assert "x_normal" not in sub[0] and "x_depth" in sub[0]


def test_synthetic_target_is_a_joint_function_of_shade_and_depth():
    from pyg_fusion.datasets import translation_scenes as T

    palette = np.stack([T._ALBEDO[k] for k in ("floor", "wall", 0, 1)])
    pix = []
    for seed in range(6):
        s = render_scene(np.random.default_rng(seed), 24)
        t = s["depth"][0] * T._MAX_DEPTH
        fog = 1 - np.exp(-0.12 * t)
        ok = (s["depth"][0] < 1) & (s["shade"][0] > 0.2)
        # rgb = (1 - f) a s + f c_fog: the albedo recovered from shade and
        # depth is one of the four surface colours at every pixel.
        a = (s["rgb"] - fog * T._FOG[:, None, None]) / (
            (1 - fog) * s["shade"][0])
        a = a[:, ok].T
        dist = np.abs(a[:, None, :] - palette[None]).max(-1).min(1)
        assert dist.max() < 1e-3
        pix.append((s["shade"][0][ok], t[ok], s["rgb"][:, ok]))
    # Neither input alone fixes rgb: pixels with (almost) the same shade but
    # different depth differ in colour (fog), and so do pixels with the same
    # depth but different shade (the light changes from scene to scene).
    shade, dist, rgb = (np.concatenate(v, -1) for v in zip(*pix))
    for key, other in ((shade, dist), (dist, shade)):
        i = np.argsort(key)
        close = np.abs(np.diff(key[i])) < 1e-3
        apart = np.abs(np.diff(other[i])) > 0.3 * np.ptp(other)
        pairs = np.nonzero(close & apart)[0]
        assert pairs.size > 0
        diff = np.abs(rgb[:, i[pairs]] - rgb[:, i[pairs + 1]]).max(0)
        assert np.median(diff) > 0.03


def test_taskonomy_folder(tmp_path):
    from PIL import Image

    for m in ("rgb", "depth_zbuffer", "normal"):
        (tmp_path / m).mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        stem = f"point_{i}_view_0_domain_"
        Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(
            tmp_path / "rgb" / f"{stem}rgb.png")
        Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(
            tmp_path / "normal" / f"{stem}normal.png")
        depth = rng.integers(0, 65535, (8, 8)).astype(np.uint16)
        Image.fromarray(depth).save(
            tmp_path / "depth_zbuffer" / f"{stem}depth_zbuffer.png")
    # A file missing from one modality is left out, with a warning.
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(
        tmp_path / "rgb" / "point_9_view_0_domain_rgb.png")
    with pytest.warns(UserWarning, match="1 of the 4 scenes"):
        ds = TaskonomyFolder(str(tmp_path), ["depth_zbuffer", "normal"],
                             image_size=16)
    assert len(ds) == 3
    d = ds[1]
    assert d.x_depth_zbuffer.shape == (1, 1, 16, 16)
    assert d.x_normal.shape == (1, 3, 16, 16) and d.y.shape == (1, 3, 16, 16)
    with pytest.warns(UserWarning, match="1 of the 4 scenes"):
        raw = ds.__class__(str(tmp_path), ["depth_zbuffer"], image_size=None)[0]
    expect = np.asarray(Image.open(tmp_path / "depth_zbuffer" /
                                   "point_0_view_0_domain_depth_zbuffer.png"))
    torch.testing.assert_close(raw.x_depth_zbuffer[0, 0],
                               torch.from_numpy(expect / 65535.0).float())
    with pytest.raises(FileNotFoundError, match="shade"):
        TaskonomyFolder(str(tmp_path), ["shade"])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        TaskonomyFolder(str(tmp_path / "nope"), ["normal"])
    # two files of one scene in one folder: which is its image cannot be told
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(
        tmp_path / "normal" / "point_1_view_0_domain_normal.jpg")
    with pytest.raises(ValueError, match="two image files of scene 'point_1_view_0'"):
        TaskonomyFolder(str(tmp_path), ["normal"])


# ------------------------------------------------------------------- training
def _tiny_module(**kw):
    critic = {} if kw.get("gan_mode") == "none" else dict(ndf=8, d_layers=2)
    return TranslationModule(["shade", "depth"], ngf=8, num_downs=4, **critic, **kw)


def test_gan_step_updates_generator_and_discriminator(tmp_path):
    from pyg_fusion.training.trainer import build_trainer

    ds = SyntheticTranslation(str(tmp_path), "train", 4, 16, seed=0,
                              modalities=["shade", "depth"], progress=False)
    module = _tiny_module()
    g0 = [p.clone() for p in module.generator.parameters()]
    d0 = [p.clone() for p in module.discriminator.parameters()]
    trainer = build_trainer(tmp_path / "run", max_epochs=1, seed=0,
                            progress=False, checkpoint=False,
                            limit_train_batches=1, num_sanity_val_steps=0)
    trainer.fit(module, DataLoader(ds, batch_size=4))
    assert any(not torch.equal(a, b) for a, b in
               zip(g0, module.generator.parameters()))
    assert any(not torch.equal(a, b) for a, b in
               zip(d0, module.discriminator.parameters()))
    logged = trainer.callback_metrics
    assert torch.isfinite(logged["train/loss_d_epoch"])
    assert torch.isfinite(logged["train/loss_g_epoch"])


def test_tiny_generator_l1_falls(tmp_path):
    torch.manual_seed(0)
    ds = SyntheticTranslation(str(tmp_path), "train", 16, 16, seed=1,
                              modalities=["shade", "depth"], progress=False)
    module = _tiny_module(gan_mode="none", lr=2e-3)
    batch = next(iter(DataLoader(ds, batch_size=16)))
    opt = module.configure_optimizers()

    def l1():
        module.eval()
        with torch.no_grad():
            out = module.translate(batch)
        module.train()
        return float((out["ensemble"] - batch.y).abs().mean())

    before = l1()
    for _ in range(40):
        out = module(_inputs(batch))
        y = 2 * batch.y - 1
        loss = sum((o - y).abs().mean() for o in [*out.branches, out.ensemble])
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = l1()
    assert after < 0.6 * before, (before, after)


def _inputs(batch):
    return [batch.x_shade, batch.x_depth]


def test_fusion_block_gradcheck():
    torch.manual_seed(0)
    block = AsymTranslationFusion(5, 3, norm="instance").double()
    xs = [torch.randn(1, 5, 4, 4, dtype=torch.float64, requires_grad=True)
          for _ in range(3)]
    assert torch.autograd.gradcheck(lambda *a: tuple(block(list(a))), xs)


def test_training_is_seeded(tmp_path):
    from pyg_fusion.training import seed_everything
    from pyg_fusion.training.translation import fit_translation

    ds = SyntheticTranslation(str(tmp_path), "train", 8, 16, seed=0,
                              modalities=["shade", "depth"], progress=False)
    params = []
    for run in range(2):
        seed_everything(7)
        module = _tiny_module()
        fit_translation(module, ds[:6], out_dir=str(tmp_path / f"run{run}"), max_epochs=1,
                        batch_size=4, seed=7, val=ds[6:], progress=False,
                        num_sanity_val_steps=0)
        params.append(torch.cat([p.detach().flatten()
                                 for p in module.parameters()]))
    torch.testing.assert_close(params[0], params[1], rtol=0, atol=0)
    # with a validation set the best epoch is kept, as for the other tasks
    assert (tmp_path / "run0" / "checkpoints" / "best.ckpt").is_file()


def test_dropout_after_the_three_levels_above_the_innermost():
    def levels(num_downs):
        gen = AsymFusionTranslator(2, ngf=2, num_downs=num_downs, dropout=0.5)
        return [i for i, d in enumerate(gen.up_drop) if isinstance(d, torch.nn.Dropout)]
    assert levels(8) == [4, 5, 6]          # pix2pix's UnetGenerator at num_downs = 8
    assert levels(4) == [1, 2]             # never the outermost level
    assert AsymFusionTranslator(2, ngf=2, num_downs=8).up_drop[5].__class__ is torch.nn.Identity


def test_evaluation_keeps_the_callers_mode(tmp_path):
    from pyg_fusion.training.translation_eval import evaluate_translation
    ds = SyntheticTranslation(str(tmp_path), "test", num_images=2, image_size=8,
                              modalities=["shade", "depth"], progress=False)
    module = TranslationModule(["shade", "depth"], ngf=2, num_downs=3, gan_mode="none")
    for mode in (True, False):
        module.train(mode)
        evaluate_translation(module, DataLoader(ds, batch_size=2))
        assert module.training is mode



def test_train_scores_the_weights_of_best_ckpt(tmp_path, monkeypatch):
    """``translate train`` scores the weights ``translate evaluate`` reads
    (``best.ckpt``, the lowest validation L1), not the last epoch's, and says
    which in ``metrics.json``; without checkpoints it is the last epoch."""
    import json

    import pyg_fusion.training.translation as tr
    from pyg_fusion.cli import main

    real = tr.fit_translation

    def worse_last_epoch(module, *args, **kwargs):
        trainer = real(module, *args, **kwargs)
        with torch.no_grad():  # the last epoch's weights, far from best.ckpt's
            for p in module.parameters():
                p.add_(torch.randn_like(p))
        return trainer

    monkeypatch.setattr(tr, "fit_translation", worse_last_epoch)
    args = ["translate", "train", "--root", str(tmp_path / "data"), "--image-size", "16",
            "--batch-size", "4", "--num-train", "8", "--num-val", "4", "--epochs", "2",
            "--ngf", "4", "--num-downs", "4", "--gan-mode", "none", "--no-progress"]
    out = tmp_path / "run"
    assert main([*args, "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    best = torch.load(out / "checkpoints" / "best.ckpt", weights_only=True)
    assert metrics["weights"] == f"best.ckpt (epoch {best['epoch']}, the lowest validation L1)"
    score = next(v["best_model_score"] for k, v in best["callbacks"].items()
                 if "ModelCheckpoint" in k)
    assert metrics["metrics"]["ensemble"]["l1"] == pytest.approx(float(score), rel=1e-5)

    from pyg_fusion.experiments.image_config import (TranslateDataConfig, TranslateModelConfig,
                                                     TranslateTrainDataConfig)
    from pyg_fusion.experiments.translate_run import run_translate
    run = run_translate(
        TranslateDataConfig(image_size=16, batch_size=4, root=str(tmp_path / "data")),
        TranslateTrainDataConfig(num_train=8, num_val=4),
        TranslateModelConfig(epochs=2, ngf=4, num_downs=4, gan_mode="none"),
        str(tmp_path / "plain"), progress=False, checkpoint=False)
    plain = json.loads((tmp_path / "plain" / "metrics.json").read_text())
    assert plain["weights"] == "last epoch"
    assert run.scores["ensemble"]["l1"] > metrics["metrics"]["ensemble"]["l1"]
