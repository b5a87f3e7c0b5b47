"""AsymFusion's image data and models given arguments a user gets wrong:
each is refused before any work, naming the argument (or the file)."""
import re

import numpy as np
import torch
import pytest


@pytest.mark.parametrize("seed", [-1, 1.5, 2 ** 32])
def test_synthetic_rgbd_refuses_a_bad_seed_before_writing(tmp_path, seed):
    from pyg_fusion.datasets import SyntheticRGBD
    root = tmp_path / "scenes"
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 2\*\*32\)"):
        SyntheticRGBD(root, size=16, num_train=2, num_test=1, seed=seed, progress=False)
    assert not (root / "rgb").exists()  # nothing generated


def test_synthetic_rgbd_takes_a_numpy_seed_as_an_int(tmp_path):
    # a numpy integer was refused only by meta.json, once every scene was
    # written; check_seed now takes it, as int (the same scenes as seed=3)
    from pyg_fusion.datasets import SyntheticRGBD
    kw = dict(size=16, num_train=2, num_test=1, progress=False)
    got = SyntheticRGBD(tmp_path / "a", seed=np.int64(3), **kw)
    want = SyntheticRGBD(tmp_path / "b", seed=3, **kw)
    assert type(got.meta["seed"]) is int and got.meta == want.meta
    files = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.png"))
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
                         for f in files)


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
