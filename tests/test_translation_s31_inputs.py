"""AsymFusion's image translation (generator, critic, module, folders and
synthetic scenes) given arguments a user gets wrong: each is refused before
any work, naming the argument (or the file)."""
import numpy as np
import pytest
import torch


@pytest.mark.parametrize("channels, match", [
    ([1.7, 3], r"'a' must have an integer count >= 1, got 1.7"),  # was read as 1
    ([0, 3], r"'a' must have an integer count >= 1, got 0"),
    (["3", 3], r"'a' must have an integer count >= 1, got '3'"),
    ([3], r"one count per modality \(2\), got \[3\]"),
    # built, then every step: 'xs[0] must have 1 or 4 channels'
    ([3, 4], r"1 channel \(tiled\) or of its input width, here 4 .* got 'a' 3"),
    ([2, 3], r"here 3 .* got 'a' 2"),
])
def test_translation_module_refuses_channels_its_generator_cannot_take(channels, match):
    from pyg_fusion.training.translation import TranslationModule
    with pytest.raises(ValueError, match=r"modality_channels.*" + match):
        TranslationModule(["a", "b"], channels, ngf=8, num_downs=3, ndf=8, d_layers=1)


def test_translation_module_takes_numpy_channel_counts():
    from pyg_fusion.training.translation import TranslationModule
    m = TranslationModule(["a", "b"], np.array([1, 3]), ngf=8, num_downs=3, ndf=8,
                          d_layers=1)
    assert m.modality_channels == [1, 3] and all(type(c) is int for c in m.modality_channels)


@pytest.mark.parametrize("kw, exc, match", [
    (dict(fusion_levels=[1.7]), ValueError, r"fusion_levels must be integers in \[0, 3\) "
     r"\(num_downs=3\), got 1.7"),  # was read as level 1
    (dict(fusion_levels=[True]), ValueError, r"fusion_levels must be integers .* got True"),
    (dict(fusion_levels="12"), TypeError, r"fusion_levels must be a sequence of encoder "
     r"levels, got '12'"),  # was the levels 1 and 2
    (dict(fusion_levels=[3]), ValueError, r"fusion_levels must be integers in \[0, 3\)"),
    # kept in the repr (and a module's hyper-parameters) without fusion levels
    (dict(fusion_levels=[], ratio=5), ValueError, r"ratio must lie in \[0, 0.25\]"),
    (dict(fusion_levels=[], shift=-3), ValueError, r"shift must be >= 0, got -3"),
])
def test_translator_checks_its_fusion_options(kw, exc, match):
    from pyg_fusion.nn.asym import AsymFusionTranslator
    with pytest.raises(exc, match=match):
        AsymFusionTranslator(2, ngf=8, num_downs=3, **kw)


def test_translator_takes_numpy_fusion_levels():
    from pyg_fusion.nn.asym import AsymFusionTranslator
    net = AsymFusionTranslator(2, ngf=8, num_downs=4, fusion_levels=np.array([2, 1]))
    assert net.fusion_levels == [1, 2] and list(net.fusion) == ["1", "2"]


def _folder(root):
    from PIL import Image
    for m, shape in (("rgb", (8, 8, 3)), ("depth", (8, 8))):
        (root / m).mkdir(parents=True)
        Image.fromarray(np.zeros(shape, np.uint8)).save(root / m / "0.png")
    return root


@pytest.mark.parametrize("kw, exc, match", [
    # kept as two modalities while every scene held the depth images once
    (dict(modalities=["depth", "depth"]), ValueError, r"modalities must be distinct"),
    (dict(modalities=[""]), ValueError, r"modalities must be non-empty names"),
    # None was os.path.join's TypeError; it now reads scenes without targets
    (dict(modalities=["depth"], target=3), TypeError,
     r"target must be the name of a modality folder or None, got 3"),
    (dict(modalities=["rgb"]), ValueError, r"target 'rgb' is also an input modality"),
])
def test_translation_folder_modalities_are_distinct_folders(tmp_path, kw, exc, match):
    from pyg_fusion.datasets import TaskonomyFolder
    with pytest.raises(exc, match=match):
        TaskonomyFolder(_folder(tmp_path / "tk"), image_size=8, **kw)


def test_synthetic_translation_modalities_are_distinct(tmp_path):
    from pyg_fusion.datasets import SyntheticTranslation
    with pytest.raises(ValueError, match=r"modalities must be distinct, got \['depth', "
                       r"'depth'\]"):
        SyntheticTranslation(tmp_path, num_images=2, image_size=8, progress=False,
                             modalities=["depth", "depth"])


@pytest.mark.parametrize("y, exc, match", [
    # a grey target of a colour generator: broadcast by the L1 loss, torch's warning alone
    ((2, 1, 16, 16), ValueError, r"target y is \(2, 1, 16, 16\), expected \(2, 3, 16, 16\)"),
    ((2, 3, 8, 8), ValueError, r"target y is \(2, 3, 8, 8\), expected \(2, 3, 16, 16\)"),
    # 8-bit values trained towards (and scored) as given
    ("255", ValueError, r"target y must hold values in \[0, 1\] \(scale 8-bit images"),
    ("nan", ValueError, r"target y must hold values in \[0, 1\]"),
])
def test_translation_targets_are_checked_in_training_and_scoring(tmp_path, y, exc, match):
    import torch
    from torch_geometric.data import Data
    from torch_geometric.loader import DataLoader
    from pyg_fusion.training.translation import TranslationModule, fit_translation
    from pyg_fusion.training.translation_eval import evaluate_translation

    def scene():
        t = torch.rand(1, 3, 16, 16)
        if y == "255":
            t = t * 255
        elif y == "nan":
            t[0, 0, 0, 0] = float("nan")
        elif isinstance(y, tuple):
            t = torch.rand(1, *y[1:])
        return Data(x_depth=torch.rand(1, 1, 16, 16), y=t, num_nodes=1)

    torch.manual_seed(0)
    module = TranslationModule(["depth"], ngf=4, num_downs=3, gan_mode="none")
    scenes = [scene() for _ in range(2)]
    with pytest.raises(exc, match=match):
        fit_translation(module, scenes, out_dir=str(tmp_path / "fit"), max_epochs=1,
                        batch_size=2, progress=False, checkpoint=False)
    with pytest.raises(exc, match=match):
        evaluate_translation(module, DataLoader(scenes, batch_size=2))


@pytest.mark.parametrize("image", [(2, 3, 16, 12), (3, 3, 16, 16)])
def test_patchgan_condition_and_image_must_share_batch_and_size(image):
    import torch
    from pyg_fusion.nn.asym import PatchGANDiscriminator
    d = PatchGANDiscriminator(4, 8, 1)
    with pytest.raises(ValueError, match=r"image is .* but the condition x is \(2, 1, 16, 16\)"
                       r": they must share the batch size and the image size"):
        d(torch.rand(2, 1, 16, 16), torch.rand(*image))  # was torch.cat's 'tensor number 1'
    assert d(torch.rand(2, 1, 16, 16), torch.rand(2, 3, 16, 16)).shape[:2] == (2, 1)


@pytest.mark.parametrize("beta1", [1.5, float("nan"), -0.1, "0.5"])
def test_translation_module_checks_beta1_where_it_is_built(beta1):
    from pyg_fusion.training.translation import TranslationModule
    with pytest.raises(ValueError, match=r"beta1 must be a number in \[0, 1\)"):
        TranslationModule(["depth"], ngf=4, num_downs=3, gan_mode="none", beta1=beta1)


def test_a_translation_folder_that_is_a_file_is_not_called_missing(tmp_path):
    from pyg_fusion.datasets import TaskonomyFolder
    path = tmp_path / "scenes.zip"
    path.write_bytes(b"PK")
    with pytest.raises(NotADirectoryError, match=r"scenes.zip' is a file; expected the folder"):
        TaskonomyFolder(path, ["depth"])  # was 'dataset folder ... does not exist'


@pytest.mark.parametrize("empty", ["train", "val"])
def test_fit_translation_refuses_a_split_without_scenes(tmp_path, empty):
    from torch_geometric.data import Data
    from pyg_fusion.training.translation import TranslationModule, fit_translation
    module = TranslationModule(["depth"], ngf=4, num_downs=3, gan_mode="none")
    scenes = [Data(x_depth=torch.rand(1, 1, 16, 16), y=torch.rand(1, 3, 16, 16), num_nodes=1)]
    splits = {"train": scenes, "val": scenes, empty: []}
    # train: torch's 'num_samples should be a positive integer value, but got num_samples=0'
    with pytest.raises(ValueError, match=rf"^{empty} holds no scenes$"):
        fit_translation(module, splits["train"], val=splits["val"], out_dir=str(tmp_path),
                        max_epochs=1, progress=False, checkpoint=False)


def test_translation_inputs_of_8_bit_images_are_named_by_modality():
    from torch_geometric.data import Data
    from pyg_fusion.training.translation import TranslationModule
    module = TranslationModule(["depth"], ngf=4, num_downs=3, gan_mode="none")
    batch = Data(x_depth=torch.randint(0, 255, (2, 1, 16, 16), dtype=torch.uint8),
                 y=torch.rand(2, 3, 16, 16))
    with pytest.raises(TypeError, match=r"'depth' images must be float images in \[0, 1\], "
                       r"got torch.uint8"):  # was the generator's 'xs[0] must be a floating'
        module.translate(batch)
