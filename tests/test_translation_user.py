"""AsymFusion image translation as a user runs it on their own settings and
images: what the module, the folder reader, the metrics and evaluate accept
and give back."""
import pytest
import torch

from pyg_fusion.training.translation import TranslationModule

TINY = dict(ngf=2, num_downs=3)


@pytest.mark.parametrize("kw, names", [
    (dict(ndf=16), "ndf"),
    (dict(d_layers=2, d_norm="instance"), "d_layers, d_norm"),
    (dict(lambda_gan=5.0), "lambda_gan"),
])
def test_the_module_refuses_critic_settings_without_a_critic(kw, names):
    """TranslationModule(gan_mode='none', ndf=16) built no critic and saved
    ndf=16 with its hyper-parameters as if used (only the CLI refused it)."""
    with pytest.raises(ValueError) as err:
        TranslationModule(["shade", "depth"], gan_mode="none", **TINY, **kw)
    it = "it" if "," not in names else "them"
    assert str(err.value) == (f"{names}: the PatchGAN critic's, not read with "
                              f"gan_mode='none' (which trains no critic); leave {it} at "
                              f"the default")
    # at their defaults, or a GAN weight of 0 (no GAN loss: the same), they pass
    assert TranslationModule(["shade"], gan_mode="none", lambda_gan=0.0,
                             **TINY).discriminator is None
    assert TranslationModule(["shade"], gan_mode="vanilla", **TINY, **kw).discriminator \
        is not None


def test_an_older_checkpoint_without_a_critic_still_loads(tmp_path):
    """translate train --gan-mode none saved the CLI's unread --ndf 32
    --d-layers 2; such a checkpoint is read as before, with the same weights."""
    from pyg_fusion._loading import load_lightning
    torch.manual_seed(0)
    module = TranslationModule(["shade", "depth"], [1, 1], gan_mode="none", **TINY)
    hp = {**module.hparams, "ndf": 32, "d_layers": 2}
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": hp},
               tmp_path / "old.ckpt")
    loaded = load_lightning(TranslationModule, tmp_path / "old.ckpt", task="translate")
    assert loaded.discriminator is None
    assert (loaded.hparams.ndf, loaded.hparams.d_layers) == (64, 3)
    for k, v in module.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v), k


@pytest.mark.parametrize("mode", ["CMYK", "YCbCr", "LAB"])
def test_colour_spaces_other_than_rgb_are_read_as_their_colours(tmp_path, mode):
    """A CMYK JPEG's channels were read as R, G, B (K dropped as if alpha):
    red (200, 30, 60) came out as (55, 225, 195), silently."""
    import numpy as np
    from PIL import Image

    from pyg_fusion.datasets.taskonomy import read_image
    rgb = np.zeros((8, 8, 3), np.uint8)
    rgb[:] = (200, 30, 60)
    rgb[4:] = (20, 120, 240)
    path = str(tmp_path / f"x.{'jpg' if mode == 'CMYK' else 'tiff'}")
    Image.fromarray(rgb).convert(mode).save(path, quality=100)
    x = read_image(path)
    assert x.shape == (3, 8, 8)
    # the colours up to the colour space's rounding (and JPEG's, for CMYK)
    assert (x.permute(1, 2, 0) * 255 - torch.from_numpy(rgb).float()).abs().max() < 6
