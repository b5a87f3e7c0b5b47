"""The range of the translation inputs: TranslationModule takes images in
[0, 1] (its scenes' scale) and maps them to the generator's [-1, 1] itself;
the generator (AsymFusionTranslator) takes any finite values as given."""
import pytest
import torch
from torch_geometric.data import Data


def _module():
    from pyg_fusion.training.translation import TranslationModule
    torch.manual_seed(0)
    return TranslationModule(["shade", "depth"], ngf=4, num_downs=3, gan_mode="none")


@pytest.mark.parametrize("depth, match", [
    # images already in pix2pix's [-1, 1] were mapped by 2 * x - 1 once more
    (torch.rand(2, 1, 16, 16) * 2 - 1, r"got values in \[-"),
    # normalised by a mean and std
    ((torch.rand(2, 1, 16, 16) - 0.5) / 0.25, r"got values in \[-"),
    (torch.rand(2, 1, 16, 16) * 255, r"got values in \[\d"),
    (torch.full((2, 1, 16, 16), float("nan")), r"got values in \[nan, nan\]"),
])
def test_inputs_outside_0_1_are_refused_by_modality(depth, match):
    module = _module()
    batch = Data(x_shade=torch.rand(2, 1, 16, 16), x_depth=depth, y=torch.rand(2, 3, 16, 16))
    for step in (module.translate, lambda b: module.training_step(b, 0)):
        with pytest.raises(ValueError, match=r"^'depth' images \(x_depth\) must hold values "
                           r"in \[0, 1\] \(scale 8-bit images by 1/255; .*the module maps "
                           rf"\[0, 1\] to the generator's \[-1, 1\] itself\).*{match}"):
            step(batch)


def test_forward_refuses_inputs_outside_0_1_by_index():
    module = _module()
    with pytest.raises(ValueError, match=r"^xs\[1\] must hold values in \[0, 1\]"):
        module([torch.rand(2, 1, 16, 16), torch.rand(2, 1, 16, 16) * 2 - 1])


def test_inputs_in_0_1_translate_as_before():
    module = _module().eval()
    xs = [torch.rand(2, 1, 16, 16), torch.rand(2, 1, 16, 16)]
    xs[0][0, 0, 0, 0], xs[1][0, 0, 0, 0] = 0.0, 1.0  # the bounds themselves
    batch = Data(x_shade=xs[0], x_depth=xs[1], y=torch.rand(2, 3, 16, 16))
    with torch.no_grad():
        got = module.translate(batch)["ensemble"]
        want = (module.generator([2 * x - 1 for x in xs]).ensemble + 1) / 2
        assert torch.equal(module(xs).ensemble, module.generator([2 * x - 1 for x in xs])
                           .ensemble)
    torch.testing.assert_close(got, want.clamp(0, 1), rtol=0, atol=0)


def test_the_generator_takes_normalised_inputs_as_given():
    # documented acceptance: AsymFusionTranslator does not check the range
    from pyg_fusion.nn.asym import AsymFusionTranslator
    torch.manual_seed(0)
    gen = AsymFusionTranslator(2, ngf=4, num_downs=3)
    xs = [(torch.rand(2, 3, 8, 8) - 0.45) / 0.22, torch.randn(2, 1, 8, 8) * 3]
    out = gen(xs)
    assert out.ensemble.shape == (2, 3, 8, 8) and bool(out.ensemble.isfinite().all())
    assert "does not check the range" in " ".join(AsymFusionTranslator.__doc__.split())


@pytest.mark.parametrize("shade, depth, match", [
    # the generator said "xs[1] has shape (2, 3, 16, 24)": its index and tiled shape
    ((2, 1, 16, 16), (2, 1, 16, 24), r"^'depth' images \(x_depth\) are \(2, 1, 16, 24\), "
     r"'shade' images \(x_shade\) \(2, 1, 16, 16\): the modalities of a batch must share "
     r"the batch size and the image size$"),
    ((2, 1, 12, 12), (2, 1, 12, 12), r"^'shade' images \(x_shade\) are 12x12: the generator "
     r"\(num_downs=3\) takes images whose sides are multiples of 2\*\*3 = 8$"),
])
def test_input_sizes_are_named_by_modality(shade, depth, match):
    module = _module()
    batch = Data(x_shade=torch.rand(shade), x_depth=torch.rand(depth),
                 y=torch.rand(2, 3, *shade[-2:]))
    for step in (module.translate, lambda b: module.training_step(b, 0)):
        with pytest.raises(ValueError, match=match):
            step(batch)
