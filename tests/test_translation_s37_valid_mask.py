"""A depth target's pixels without depth (Taskonomy's 65535, read as 0 and
marked by ``valid_<target>``): translation trained its L1 loss towards those
0s and scored L1 / PSNR against them."""
import numpy as np
import pytest
import torch
from PIL import Image
from torch_geometric.data import Batch, Data
from torch_geometric.loader import DataLoader

from pyg_fusion.training.translation import TranslationModule
from pyg_fusion.training.translation_eval import evaluate_translation, translate_batch
from pyg_fusion.training._translation_inputs import _masked_l1, _target_valid


def _scene(seed, valid=None, size=8, target="depth_zbuffer"):
    g = torch.Generator().manual_seed(seed)
    d = Data(x_rgb=torch.rand(1, 3, size, size, generator=g),
             y=torch.rand(1, 3, size, size, generator=g))
    if valid is not None:
        d.y = d.y * valid  # a pixel without depth reads as 0
        d[f"valid_{target}"] = valid
    return d


def _holes(size=8, rows=2, cols=3):
    valid = torch.ones(1, 1, size, size, dtype=torch.bool)
    valid[..., :rows, :cols] = False
    return valid


def _module(**kw):
    torch.manual_seed(0)
    return TranslationModule(["rgb"], ngf=4, num_downs=3, gan_mode="none", lambda_l1=1.0, **kw)


def _training_loss(module, batch):
    """The generator's loss of one training step (optimiser steps of lr 0)."""
    seen = []
    module.optimizers = lambda: torch.optim.SGD(module.generator.parameters(), lr=0.0)
    module.manual_backward = lambda loss: seen.append(loss)
    module.log_dict = module.log = lambda *a, **k: None
    module.training_step(batch, 0)
    return seen[0]


def test_masked_l1_by_hand():
    out = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]]).expand(1, 2, 2, 2)
    y = torch.zeros(1, 2, 2, 2)
    valid = torch.tensor([[[[True, False], [False, True]]]])
    # (1 + 4) per channel, 2 channels, over 2 valid pixels x 2 channels
    assert float(_masked_l1(out, y, valid)) == (1 + 4) * 2 / 4
    assert torch.equal(_masked_l1(out, y, None), torch.nn.functional.l1_loss(out, y))


def test_training_loss_is_the_masked_l1_of_every_output():
    module = _module()
    batch = Batch.from_data_list([_scene(0, _holes()), _scene(1, _holes(rows=8, cols=2))])
    valid = batch.valid_depth_zbuffer
    with torch.no_grad():
        out = module._generate([batch.x_rgb])
    y = 2 * batch.y - 1
    want = sum(((o - y).abs() * valid).sum() / (valid.sum() * 3)
               for o in [*out.branches, out.ensemble])
    torch.testing.assert_close(_training_loss(module, batch), want)


def test_a_batch_without_a_valid_pixel_gives_no_loss_and_no_nan():
    module = _module()
    none = torch.zeros(1, 1, 8, 8, dtype=torch.bool)
    batch = Batch.from_data_list([_scene(0, none), _scene(1, none)])
    loss = _training_loss(module, batch)
    assert loss.item() == 0.0
    loss.backward()
    assert all(p.grad is None or not p.grad.any() for p in module.generator.parameters())
    with pytest.raises(ValueError, match="no valid pixel"):
        evaluate_translation(module, [batch])


def test_a_fully_invalid_image_weighs_nothing():
    module = _module()
    batch = Batch.from_data_list([_scene(0, torch.zeros(1, 1, 8, 8, dtype=torch.bool)),
                                  _scene(1, _holes())])
    imgs = translate_batch(module, batch)
    valid = batch.valid_depth_zbuffer[1:].expand(-1, 3, -1, -1)
    res = evaluate_translation(module, [batch])
    for name, img in imgs.items():
        err = (img[1:] - batch.y[1:])[valid]
        assert res[name]["l1"] == pytest.approx(float(err.abs().mean()), rel=1e-5)
        assert res[name]["psnr"] == pytest.approx(
            float(-10 * torch.log10((err ** 2).mean())), rel=1e-5)


def test_batches_with_and_without_a_mask_mix():
    """A batch without a mask counts every pixel; an all-True mask is the same."""
    module = _module()
    masked = Batch.from_data_list([_scene(0, _holes()), _scene(1, _holes(cols=8))])
    plain = Batch.from_data_list([_scene(2), _scene(3)])
    res = evaluate_translation(module, [masked, plain])
    errs = []
    for batch, valid in ((masked, masked.valid_depth_zbuffer), (plain, None)):
        img = translate_batch(module, batch)["ensemble"]
        err = img - batch.y
        errs.append(err[valid.expand_as(err)] if valid is not None else err.flatten())
    assert res["ensemble"]["l1"] == pytest.approx(float(torch.cat(errs).abs().mean()), rel=1e-5)
    # an all-True mask scores as no mask (up to the order of the sums)
    full = Batch.from_data_list([_scene(2, torch.ones(1, 1, 8, 8, dtype=torch.bool)),
                                 _scene(3, torch.ones(1, 1, 8, 8, dtype=torch.bool))])
    a, b = evaluate_translation(module, [plain]), evaluate_translation(module, [full])
    for name in a:
        for k in a[name]:
            assert a[name][k] == pytest.approx(b[name][k], rel=1e-5)
    torch.testing.assert_close(_training_loss(_module(), full), _training_loss(_module(), plain))


def test_the_masks_checked():
    y = torch.zeros(2, 3, 8, 8)
    batch = Batch.from_data_list([_scene(0, _holes()), _scene(1, _holes())])
    batch.valid_depth = torch.ones(2, 1, 8, 8, dtype=torch.bool)
    with pytest.raises(ValueError, match="target's mask"):
        _target_valid(batch, ["rgb"], y)
    # an input's mask is not the target's
    assert _target_valid(batch, ["rgb", "depth"], y) is batch.valid_depth_zbuffer
    batch = Batch.from_data_list([_scene(0, _holes())])
    batch.valid_depth_zbuffer = batch.valid_depth_zbuffer.float()
    with pytest.raises(ValueError, match="must be bool"):
        _target_valid(batch, ["rgb"], y[:1])


def test_the_critic_sees_the_targets_holes_in_the_outputs():
    """Real depth has 0s where it has none, a translation has not: the critic
    could tell them apart there and push the generator to paint holes."""
    module = TranslationModule(["rgb"], ngf=4, num_downs=3, ndf=4, d_layers=1)
    seen = []
    real_forward = module.discriminator.forward
    module.discriminator.forward = lambda cond, img: seen.append(img.detach()) or \
        real_forward(cond, img)
    batch = Batch.from_data_list([_scene(0, _holes()), _scene(1, _holes())])
    module.optimizers = lambda: [torch.optim.SGD(module.generator.parameters(), lr=0.0),
                                 torch.optim.SGD(module.discriminator.parameters(), lr=0.0)]
    module.manual_backward = lambda loss: None
    module.log_dict = module.log = lambda *a, **k: None
    module.training_step(batch, 0)
    hole = ~batch.valid_depth_zbuffer.expand(-1, 3, -1, -1)
    for img in seen:  # the real target, then every output (fake, then as the generator's)
        assert torch.equal(img[hole], (2 * batch.y - 1)[hole])


def _taskonomy(root, n=4, size=8):
    (root / "depth_zbuffer").mkdir(parents=True)
    (root / "rgb").mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        z = rng.integers(1000, 30000, (size, size)).astype(np.uint16)
        z[:2, :3] = 65535  # no mesh there
        Image.fromarray(z).save(
            root / "depth_zbuffer" / f"point_{i}_view_0_domain_depth_zbuffer.png")
        Image.fromarray(rng.integers(0, 255, (size, size, 3)).astype(np.uint8)).save(
            root / "rgb" / f"point_{i}_view_0_domain_rgb.png")
    return root


def test_a_taskonomy_depth_target_trains_and_scores_where_it_has_depth(tmp_path):
    from pyg_fusion.datasets import TaskonomyFolder
    from pyg_fusion.training.translation import fit_translation

    ds = TaskonomyFolder(str(_taskonomy(tmp_path / "data")), ["rgb"], "depth_zbuffer",
                         image_size=8)
    module = _module(out_channels=ds.target_channels)  # depth: 1
    trainer = fit_translation(module, ds, out_dir=str(tmp_path / "run"), max_epochs=1,
                              batch_size=2, val=ds, progress=False, checkpoint=False,
                              num_sanity_val_steps=0)
    assert all(torch.isfinite(p).all() for p in module.parameters())
    batch = next(iter(DataLoader(ds, batch_size=4)))
    res = evaluate_translation(module, DataLoader(ds, batch_size=4))
    img = translate_batch(module, batch)["ensemble"]
    valid = batch.valid_depth_zbuffer.expand_as(img)
    assert not valid.all()
    want = float((img - batch.y)[valid].abs().mean())
    assert res["ensemble"]["l1"] == pytest.approx(want, rel=1e-5)
    assert float(trainer.callback_metrics["val/l1_ensemble"]) == pytest.approx(want, rel=1e-5)
    # not the L1 over every pixel, which scores the holes' 0s
    assert abs(float((img - batch.y).abs().mean()) - want) > 1e-3


def test_the_figure_draws_the_targets_holes(tmp_path, monkeypatch):
    from pyg_fusion.training import translation_figure

    drawn = {}
    real = translation_figure.save_figure
    monkeypatch.setattr(translation_figure, "save_figure",
                        lambda fig, path, **kw: drawn.setdefault("fig", fig) and real(fig, path,
                                                                                      **kw))
    batch = Batch.from_data_list([_scene(0, _holes()), _scene(1, _holes(cols=8))])
    translation_figure.save_translation_figure(_module(), batch, str(tmp_path / "t.png"))
    target = [a for a in drawn["fig"].axes if a.get_title().startswith("target")]
    assert target[0].get_title() == "target\n(magenta: no value)"
    overlay = target[0].images[-1].get_array()
    assert overlay.shape == (8, 8, 4)
    assert (overlay[..., 3] == 1).tolist() == (~_holes()[0, 0]).tolist()  # the 2 x 3 hole
