"""AsymFusion's image data and models given arguments a user gets wrong:
each is refused before any work, naming the argument (or the file)."""
import re

import numpy as np
import torch
import pytest


@pytest.mark.parametrize("seed", [-1, 1.5, np.int64(3), 2 ** 32])
def test_synthetic_rgbd_refuses_a_bad_seed_before_writing(tmp_path, seed):
    from pyg_fusion.datasets import SyntheticRGBD
    root = tmp_path / "scenes"
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 2\*\*32\)"):
        SyntheticRGBD(root, size=16, num_train=2, num_test=1, seed=seed, progress=False)
    # nothing generated: a numpy integer was refused only once every scene was written
    assert not (root / "rgb").exists()


def _scenes(tmp_path):
    from pyg_fusion.datasets import SyntheticRGBD
    SyntheticRGBD(tmp_path / "s", size=16, num_train=2, num_test=1, progress=False)
    return tmp_path / "s"


@pytest.mark.parametrize("kw, exc, match", [
    # NaN made every depth NaN, -1 every depth negative, without a word
    (dict(depth_scale=float("nan")), ValueError, r"depth_scale must be a finite number > 0"),
    (dict(depth_scale=-1), ValueError, r"depth_scale must be a finite number > 0, got -1"),
    (dict(depth_scale="0.0002"), ValueError, r"depth_scale must be a finite number > 0"),
    (dict(scale_range=(1.0, )), ValueError, r"scale_range must be \(low, high\)"),
    (dict(scale_range=(0.5, float("inf"))), ValueError, r"scale_range\[1\] must be a finite"),
    (dict(scale_range=(2.0, 1.0)), ValueError, r"scale_range must be \(low, high\), two"),
    (dict(ignore_index="255"), TypeError, r"ignore_index must be an integer label id"),
    (dict(ignore_index=255.5), TypeError, r"ignore_index must be an integer label id"),
])
def test_rgbd_segmentation_names_a_bad_option(tmp_path, kw, exc, match):
    from pyg_fusion.datasets import RGBDSegmentation
    root = _scenes(tmp_path)
    with pytest.raises(exc, match=match):
        RGBDSegmentation(root, "train", num_classes=6, **kw)


def test_rgbd_segmentation_takes_numpy_options(tmp_path):
    from pyg_fusion.datasets import RGBDSegmentation
    ds = RGBDSegmentation(_scenes(tmp_path), "train", num_classes=6, crop_size=20,
                          ignore_index=np.int64(255), depth_scale=np.float32(1e-3),
                          scale_range=np.array([1.0, 1.0]))
    assert ds.ignore_index == 255 and ds.scale_range == (1.0, 1.0)
    assert int(ds[0]["mask"].max()) == 255  # the crop's padding


def _plain_weights(encoder):
    """``encoder``'s weights as a single-modality (torchvision-layout) state_dict."""
    import re
    return {re.sub(r"\.norms\.\d+(?=\.)", "", k): v for k, v in encoder.state_dict().items()}


def test_a_resnet_file_that_does_not_fit_is_named(tmp_path):
    import torch
    from pyg_fusion.nn.asym import ResNetEncoder, load_torchvision_resnet
    small = ResNetEncoder("bottleneck", (1, 1, 1, 1), width=8)
    path = tmp_path / "resnet.pth"
    torch.save(_plain_weights(small), path)
    assert load_torchvision_resnet(small, path) == ([], [])
    # another width, a training checkpoint's nesting, DataParallel's prefix: the
    # errors named keys and shapes, never the file
    wide = ResNetEncoder("bottleneck", (1, 1, 1, 1), width=16)
    with pytest.raises(ValueError, match=rf"ResNet checkpoint: {re.escape(str(path))} does not fit the "
                       r"encoder \(bottleneck blocks, layers \(1, 1, 1, 1\), width 16"):
        load_torchvision_resnet(wide, path)
    torch.save({"state_dict": _plain_weights(small)}, path)
    with pytest.raises(KeyError, match=rf"{re.escape(str(path))} does not fit .* state_dict\['state_dict'\] "
                       r"is a dict; pass that dict"):
        load_torchvision_resnet(small, path)
    torch.save({"module." + k: v for k, v in _plain_weights(small).items()}, path)
    with pytest.raises(KeyError, match=r"every key starts with 'module.'"):
        load_torchvision_resnet(small, path)


def test_a_state_dict_entry_that_is_no_tensor_is_named():
    from pyg_fusion.nn.asym import ResNetEncoder, load_torchvision_resnet
    enc = ResNetEncoder("bottleneck", (1, 1, 1, 1), width=8)
    weights = {**_plain_weights(enc), "conv1.weight": [1.0]}
    with pytest.raises(ValueError, match=r"state_dict\['conv1.weight'\] is a list, expected a "
                       r"tensor"):  # was AttributeError: 'list' object has no attribute 'shape'
        load_torchvision_resnet(enc, weights)
    with pytest.raises(KeyError, match=r"unexpected \[1\]"):  # was AttributeError (startswith)
        load_torchvision_resnet(enc, {**_plain_weights(enc), 1: enc.conv1.weight})


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


def _segmenter(**kw):
    from pyg_fusion.nn.asym import asym_fusion_segmenter
    return asym_fusion_segmenter(3, depth=None, layers=(1, 1, 1, 1), width=8,
                                 decoder_features=8, light=True, **kw)


@pytest.mark.parametrize("modalities, exc, match", [
    # built a network of three modalities 'r', 'g', 'b' without a word
    ("rgb", TypeError, r"modalities must be a sequence of names, got the string 'rgb'"),
    # outputs ['rgb', 'rgb', 'ensemble'] / ['rgb', 'ensemble', 'ensemble']: logged as one
    (("rgb", "rgb"), ValueError, r"modalities must be distinct"),
    (("rgb", "ensemble"), ValueError, r"'ensemble' names an output of the network"),
])
def test_segmenter_modalities_are_distinct_names(modalities, exc, match):
    from pyg_fusion.nn.asym import AsymFusionSegmenter, ResNetEncoder, RefineNetDecoder
    with pytest.raises(exc, match=match):
        _segmenter(modalities=modalities)
    enc = ResNetEncoder("bottleneck", (1, 1, 1, 1), 2, width=8)
    with pytest.raises(exc, match=match):
        AsymFusionSegmenter(enc, RefineNetDecoder(enc.out_channels, 3, features=8),
                            modalities)
    assert _segmenter(modalities=["rgb", "depth"]).output_names == ["rgb", "depth", "ensemble"]


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


@pytest.mark.parametrize("confmat, match", [
    ([[3, -1], [0, 1]], r"confmat must hold pixel counts \(finite, >= 0\)"),  # pixel_acc 1.33
    ([[3, float("nan")], [0, 1]], r"confmat must hold pixel counts"),
    ([[1, 2, 3], [4, 5, 6]], r"confmat must be a square \[K, K\] tensor, got \(2, 3\)"),
])
def test_segmentation_scores_refuse_what_is_no_confusion_matrix(confmat, match):
    import torch
    from pyg_fusion.training.segmentation import segmentation_scores
    with pytest.raises(ValueError, match=match):
        segmentation_scores(torch.tensor(confmat))
    assert segmentation_scores(torch.tensor([[3, 1], [0, 0]]))["pixel_acc"] == 0.75


@pytest.mark.parametrize("index", [1.5, True, -1, 3])
def test_shared_network_modality_index_is_an_integer(index):
    import torch
    from pyg_fusion.nn.asym import share_across_modalities
    net = share_across_modalities(torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                                      torch.nn.BatchNorm2d(4)), 3)
    with pytest.raises(ValueError, match=r"index must be an integer in \[0, 3\), got"):
        with net.modality(index):
            pass
    with net.modality(np.int64(2)) as model:  # the BNs of modality 2
        assert model(torch.randn(2, 3, 5, 5)).shape == (2, 4, 3, 3)


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
    (dict(modalities=["depth"], target=None), TypeError,  # was os.path.join's TypeError
     r"target must be the name of a modality folder, got None"),
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


@pytest.mark.parametrize("outputs, exc, match", [
    # labels below both counts scored against other classes; here label 4: IndexError
    (lambda: [torch.randn(2, 5, 4, 4), torch.randn(2, 4, 4, 4)], ValueError,
     r"outputs\[1\] has 4 classes, outputs\[0\] 5"),
    (lambda: [torch.randn(2, 5, 4, 4), None], TypeError, r"outputs\[1\] must be a torch.Tensor"),
    (lambda: torch.randn(2, 5, 4, 4), TypeError, r"outputs must be a list of logit maps"),
    (lambda: [torch.zeros(2, 5, 4, 4, dtype=torch.long)], TypeError,
     r"outputs\[0\] must be a floating-point tensor"),
])
def test_segmentation_loss_outputs_are_logit_maps_of_one_class_count(outputs, exc, match):
    from pyg_fusion.nn.asym import asym_segmentation_loss
    target = torch.arange(5).repeat(7)[:32].view(2, 4, 4)
    with pytest.raises(exc, match=match):
        asym_segmentation_loss(outputs(), target)


@pytest.mark.parametrize("beta1", [1.5, float("nan"), -0.1, "0.5"])
def test_translation_module_checks_beta1_where_it_is_built(beta1):
    from pyg_fusion.training.translation import TranslationModule
    with pytest.raises(ValueError, match=r"beta1 must be a number in \[0, 1\)"):
        TranslationModule(["depth"], ngf=4, num_downs=3, gan_mode="none", beta1=beta1)


_ARCH = dict(depth=None, layers=[1, 1, 1, 1], width=8, decoder_features=8, light=True)


@pytest.mark.parametrize("kw, exc, match", [
    # None passed torchmetrics and failed at the first step, in cross_entropy
    (dict(ignore_index=None), TypeError, r"ignore_index must be an integer label id, got None"),
    (dict(ignore_index=1.5), TypeError, r"ignore_index must be an integer label id"),
    # a legend of other classes' colours, or of a name per letter, without a word
    (dict(class_names=["floor", "box"]), ValueError,
     r"class_names must name each of the 6 classes, got 2 names"),
    (dict(class_names="abcdef"), TypeError, r"class_names must be a sequence of names"),
])
def test_segmentation_module_checks_ignore_index_and_class_names(kw, exc, match):
    from pyg_fusion.training.segmentation import SegmentationModule
    with pytest.raises(exc, match=match):
        SegmentationModule("asymfusion", 6, _ARCH, **kw)
    m = SegmentationModule("asymfusion", 6, _ARCH, ignore_index=np.int64(-1),
                           class_names=tuple("abcdef"))
    assert m.hparams.ignore_index == -1


def test_segmentation_module_names_the_keys_a_batch_lacks():
    from pyg_fusion.training.segmentation import SegmentationModule
    m = SegmentationModule("asymfusion", 6, _ARCH).eval()
    x = torch.rand(2, 3, 16, 16)
    with pytest.raises(KeyError, match=r"must be a dict holding \['rgb', 'depth'\] .* got "
                       r"\['depth', 'image'\]"):  # was KeyError('rgb')
        m({"image": x, "depth": x})
    with pytest.raises(TypeError, match=r"must be a dict holding .* got list"):
        m([x, x])
    assert len(m({"rgb": x, "depth": x})) == 3  # no mask needed to predict


def test_a_translation_folder_that_is_a_file_is_not_called_missing(tmp_path):
    from pyg_fusion.datasets import TaskonomyFolder
    path = tmp_path / "scenes.zip"
    path.write_bytes(b"PK")
    with pytest.raises(NotADirectoryError, match=r"scenes.zip' is a file; expected the folder"):
        TaskonomyFolder(path, ["depth"])  # was 'dataset folder ... does not exist'


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_an_rgbd_root_that_is_no_folder_is_named(tmp_path, kind):
    from pyg_fusion.datasets import RGBDSegmentation
    root = tmp_path / "nyud"
    if kind == "file":
        root.write_text("")
    exc = NotADirectoryError if kind == "file" else FileNotFoundError
    said = "is a file" if kind == "file" else "does not exist"
    # was 'list file not found: ROOT/train.txt'
    with pytest.raises(exc, match=rf"dataset folder '{re.escape(str(root))}' {said} \("
                       r"expected the folder of train.txt"):
        RGBDSegmentation(root, "train")


def test_share_across_modalities_names_the_norms_it_cannot_make_private():
    import warnings
    from torch import nn
    from pyg_fusion import PygFusionNotice
    from pyg_fusion.nn.asym import ModalityNorm, share_across_modalities
    # a DDP network's SyncBatchNorm stayed shared by every modality, without a word
    sync = nn.Sequential(nn.Conv2d(3, 4, 3), nn.SyncBatchNorm(4))
    with pytest.raises(TypeError, match=r"SyncBatchNorm layers \(1\), which "
                       r"share_across_modalities cannot make private"):
        share_across_modalities(sync, 2)
    # a pix2pix-style network of instance norms kept nothing private
    with pytest.warns(PygFusionNotice, match=r"the model's InstanceNorm2d layers stay shared"):
        share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 3),
                                              nn.InstanceNorm2d(4, affine=True)), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # private norms of any kind, or none: no notice
        share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 3), ModalityNorm(4, 2, "instance")),
                                2)
        share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 3), nn.InstanceNorm2d(4)), 2)
        share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)), 2)


def test_prediction_figure_names_each_class_once(tmp_path):
    from pyg_fusion.training.segmentation import SegmentationModule, save_prediction_figure
    m = SegmentationModule("asymfusion", 6, _ARCH)
    x = torch.rand(3, 16, 16)
    scenes = [{"rgb": x, "depth": x, "mask": torch.zeros(16, 16, dtype=torch.long)}]
    with pytest.raises(ValueError, match=r"class_names must name each of the 6 classes, got 2"):
        save_prediction_figure(m, scenes, str(tmp_path / "f.png"), class_names=["a", "b"])
    assert not (tmp_path / "f.png").exists()


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


def test_segmentation_module_trains_on_8_bit_masks(tmp_path):
    from pyg_fusion.training.segmentation import (SegmentationModule, evaluate_segmentation,
                                                  fit_segmentation)
    x = torch.rand(3, 16, 16)
    mask = torch.zeros(16, 16, dtype=torch.uint8)
    mask[:, 8:] = 255  # unlabelled
    scenes = [{"rgb": x, "depth": x, "mask": mask}] * 2
    m = SegmentationModule("asymfusion", 6, _ARCH)
    # was 'target must be torch.long, got torch.uint8' at the first step; scoring took them
    fit_segmentation(m, scenes, out_dir=str(tmp_path), batch_size=2, progress=False,
                     max_epochs=1, checkpoint=False)
    assert evaluate_segmentation(m, scenes, out_dir=str(tmp_path), batch_size=2,
                                 progress=False)["ensemble"]["pixel_acc"] >= 0
