"""Translation's SSIM was torchmetrics' class, which changed its definition
between the supported versions: 1.3 (the floor) averaged the SSIM map over the
pixels whose 11 x 11 window lies inside the image (NaN for images under 11
pixels a side), 1.9 over every pixel. One definition now, 1.9's, on both."""
import pytest
import torch
import torch.nn.functional as F
import torchmetrics
from packaging.version import Version
from torch_geometric.data import Data
from torch_geometric.loader import DataLoader

from pyg_fusion.training._ssim import ImageSSIM


def _by_hand(a, b):
    """Each image's SSIM map (Gaussian window of 11, sigma 1.5, reflect-padded
    by 5) averaged over every pixel, then over the images; float64."""
    a, b = a.double(), b.double()
    d = torch.arange(11, dtype=torch.float64) - 5
    g = torch.exp(-(d / 1.5) ** 2 / 2)
    g = g / g.sum()
    w = (g[:, None] * g[None]).expand(a.size(1), 1, 11, 11)

    def blur(x):
        return F.conv2d(F.pad(x, (5, 5, 5, 5), mode="reflect"), w, groups=a.size(1))
    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b = blur(a * a) - mu_a ** 2, blur(b * b) - mu_b ** 2
    cov = blur(a * b) - mu_a * mu_b
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    ssim = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)
            / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2)))
    return float(ssim.flatten(1).mean(1).mean())


def _pair(side, channels=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    a = torch.rand(4, channels, side, side, generator=g)
    return a, (a + 0.2 * torch.rand(a.shape, generator=g)).clamp(0, 1)


@pytest.mark.parametrize("side", [6, 8, 10, 11, 32])
@pytest.mark.parametrize("channels", [1, 3])
def test_ssim_is_the_mean_of_the_whole_map_on_every_version(side, channels):
    a, b = _pair(side, channels)
    metric = ImageSSIM()
    metric.update(a[:3], b[:3])  # the mean over images, whatever the batches
    metric.update(a[3:], b[3:])
    assert float(metric.compute()) == pytest.approx(_by_hand(a, b), rel=1e-5)


@pytest.mark.skipif(Version(torchmetrics.__version__) < Version("1.9"),
                    reason="torchmetrics' own class averages the whole map from 1.9 on")
def test_ssim_equals_torchmetrics_class_bitwise():
    from torchmetrics.image import StructuralSimilarityIndexMeasure
    for side in (8, 32):
        a, b = _pair(side)
        ours, theirs = ImageSSIM(data_range=1.0), StructuralSimilarityIndexMeasure(data_range=1.0)
        for i in range(0, 4, 2):
            ours.update(a[i:i + 2], b[i:i + 2])
            theirs.update(a[i:i + 2], b[i:i + 2])
        assert float(ours.compute()) == float(theirs.compute())


def test_evaluate_translation_scores_a_finite_ssim_of_small_images():
    """8-px scenes: NaN on torchmetrics 1.3 before."""
    from pyg_fusion.training.translation import TranslationModule
    from pyg_fusion.training.translation_eval import evaluate_translation, translate_batch
    g = torch.Generator().manual_seed(0)
    scenes = [Data(x_depth=torch.rand(1, 1, 8, 8, generator=g),
                   y=torch.rand(1, 3, 8, 8, generator=g), num_nodes=1) for _ in range(4)]
    torch.manual_seed(0)
    module = TranslationModule(["depth"], ngf=4, num_downs=2, gan_mode="none")
    scores = evaluate_translation(module, DataLoader(scenes, batch_size=3))
    batch = next(iter(DataLoader(scenes, batch_size=4)))
    imgs = translate_batch(module, batch)
    for name, img in imgs.items():
        assert scores[name]["ssim"] == pytest.approx(_by_hand(img, batch.y), abs=1e-6)
