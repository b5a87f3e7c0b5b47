"""A depth *input* without depth (Taskonomy's 65535, read as 0 and marked by
``valid_<folder>``) was handed to the generator as 0, the nearest depth: the
input masks were read for the target only. Each hole now takes the value of
the nearest pixel with depth, in training, translation and scoring alike."""
import numpy as np
import pytest
import torch
from PIL import Image
from torch_geometric.data import Batch, Data
from torch_geometric.loader import DataLoader

from pyg_fusion.training._translation_inputs import _inputs
from pyg_fusion.training.translation import TranslationModule
from pyg_fusion.training.translation_eval import evaluate_translation, translate_batch


def _scene(seed, valid=None):
    g = torch.Generator().manual_seed(seed)
    d = Data(x_depth=torch.rand(1, 1, 8, 8, generator=g), x_rgb=torch.rand(1, 3, 8, 8, generator=g),
             y=torch.rand(1, 3, 8, 8, generator=g))
    if valid is not None:
        d.x_depth = d.x_depth * valid
        d.valid_depth = valid
    return d


def _holes():
    valid = torch.ones(1, 1, 8, 8, dtype=torch.bool)
    valid[..., :2, :3] = False  # a 2 x 3 corner without depth
    valid[..., 5, 5] = False    # and one pixel
    return valid


def _nearest(x, valid, b, i, j):
    """The values of scene b's valid pixels nearest to (i, j) (ties: all)."""
    good = valid[b, 0].nonzero()
    dist = ((good - torch.tensor([i, j])) ** 2).sum(1)
    return [x[b, :, k, m] for k, m in good[dist == dist.min()].tolist()]


def _module():
    torch.manual_seed(0)
    return TranslationModule(["depth", "rgb"], ngf=4, num_downs=3, gan_mode="none")


def test_an_inputs_holes_take_the_nearest_valid_value():
    batch = Batch.from_data_list([_scene(0, _holes()), _scene(1, _holes())])
    xs = _inputs(batch, ["depth", "rgb"], [1, 3])
    for b, _, i, j in (~batch.valid_depth).nonzero().tolist():
        assert any(torch.equal(xs[0][b, :, i, j], v)
                   for v in _nearest(batch.x_depth, batch.valid_depth, b, i, j))
    hole = ~batch.valid_depth
    assert not (xs[0][hole] == 0).any()  # no hole is handed over as depth 0
    assert torch.equal(xs[0][~hole], batch.x_depth[~hole])
    assert xs[1] is batch.x_rgb  # no mask: as given


def test_images_without_holes_and_without_valid_pixels_are_as_given():
    full = Batch.from_data_list([_scene(0, torch.ones(1, 1, 8, 8, dtype=torch.bool))])
    assert _inputs(full, ["depth", "rgb"], [1, 3])[0] is full.x_depth
    empty = Batch.from_data_list([_scene(0, torch.zeros(1, 1, 8, 8, dtype=torch.bool)),
                                  _scene(1, _holes())])
    xs = _inputs(empty, ["depth", "rgb"], [1, 3])
    assert torch.equal(xs[0][0], empty.x_depth[0])  # nothing to fill from
    assert not (xs[0][1][~empty.valid_depth[1]] == 0).any()


def test_translation_and_scores_see_the_filled_input():
    module = _module()
    batch = Batch.from_data_list([_scene(0, _holes()), _scene(1, _holes())])
    filled = batch.clone()
    filled.x_depth = _inputs(batch, ["depth", "rgb"], [1, 3])[0]
    del filled.valid_depth
    a, b = translate_batch(module, batch), translate_batch(module, filled)
    for name in a:
        assert torch.equal(a[name], b[name])
    assert evaluate_translation(module, [batch]) == evaluate_translation(module, [filled])
    # before: the holes' 0s went in, and another translation came out
    raw = batch.clone()
    del raw.valid_depth
    assert not torch.equal(translate_batch(module, raw)["ensemble"], a["ensemble"])


def test_a_bad_input_mask_is_named():
    batch = Batch.from_data_list([_scene(0, _holes())])
    batch.valid_depth = batch.valid_depth.float()
    with pytest.raises(ValueError, match=r"valid_depth \(the input's valid pixels\) must be "
                                         r"bool \(1, 1, 8, 8\)"):
        _inputs(batch, ["depth", "rgb"], [1, 3])


def test_a_taskonomy_depth_input_reaches_the_generator_without_zeros(tmp_path):
    from pyg_fusion.datasets import TaskonomyFolder
    from pyg_fusion.training.translation import fit_translation

    (tmp_path / "depth_zbuffer").mkdir()
    (tmp_path / "rgb").mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        z = rng.integers(1000, 30000, (8, 8)).astype(np.uint16)
        z[:2, :3] = 65535  # no mesh there
        Image.fromarray(z).save(tmp_path / "depth_zbuffer" / f"{i}.png")
        Image.fromarray(rng.integers(0, 255, (8, 8, 3)).astype(np.uint8)).save(
            tmp_path / "rgb" / f"{i}.png")
    ds = TaskonomyFolder(str(tmp_path), ["depth_zbuffer"], "rgb", image_size=8)
    torch.manual_seed(0)
    module = TranslationModule(["depth_zbuffer"], ngf=4, num_downs=3, gan_mode="none")
    seen = []
    module.generator.register_forward_pre_hook(lambda mod, args: seen.append(args[0][0]))
    fit_translation(module, ds, out_dir=str(tmp_path / "run"), max_epochs=1, batch_size=3,
                    progress=False, checkpoint=False)
    evaluate_translation(module, DataLoader(ds, batch_size=3))
    assert len(seen) == 2
    for x in seen:  # the generator's [-1, 1]: -1 was depth 0
        assert x[:, :, :2, :3].min() > -0.9


def test_the_figure_draws_an_inputs_holes(tmp_path, monkeypatch):
    from pyg_fusion.training import translation_figure

    drawn = {}
    real = translation_figure.save_figure
    monkeypatch.setattr(translation_figure, "save_figure",
                        lambda fig, path, **kw: drawn.setdefault("fig", fig) and real(fig, path,
                                                                                      **kw))
    batch = Batch.from_data_list([_scene(0, _holes()), _scene(1, _holes())])
    translation_figure.save_translation_figure(_module(), batch, str(tmp_path / "t.png"))
    titles = [a.get_title() for a in drawn["fig"].axes if a.get_title()]
    assert titles[:3] == ["input: depth\n(magenta: no value)", "input: rgb", "target"]
    overlay = drawn["fig"].axes[0].images[-1].get_array()
    assert (overlay[..., 3] == 1).tolist() == (~_holes()[0, 0]).tolist()


def test_the_mask_of_an_input_left_out_is_not_the_targets():
    """A one-modality baseline (rgb) on scenes with a depth input too: the
    depth's holes masked the target's loss and scores."""
    from pyg_fusion.training._translation_inputs import _target_valid

    batch = Batch.from_data_list([_scene(0, _holes()), _scene(1, _holes())])
    assert _target_valid(batch, ["rgb"], batch.y) is None
    torch.manual_seed(0)
    rgb_only = TranslationModule(["rgb"], ngf=4, num_downs=3, gan_mode="none")
    plain = batch.clone()
    del plain.valid_depth
    assert evaluate_translation(rgb_only, [batch]) == evaluate_translation(rgb_only, [plain])
