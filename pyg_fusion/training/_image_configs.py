"""The typed configs of the AsymFusion image tasks (RGB-D segmentation and
multi-modal translation), one dataclass per group of settings: public as
:mod:`pyg_fusion.experiments.image_config`, which adds the checks of their
combinations and each command's sections. Declared here, below the training
layer, because the Python API under the commands reads its defaults and value
checks from them (one home for a default; training imports nothing of
experiments)."""
from __future__ import annotations

from dataclasses import dataclass

from .._option_rules import documented, option
from .variants import VARIANTS


# -- RGB-D segmentation ----------------------------------------------------
@documented
@dataclass
class SegmentDataConfig:
    """The RGB-D scenes (NYUDv2 layout or the seeded synthetic scenes)."""
    data: str = option("synthetic", "synthetic: seeded scenes written to --root; nyud: NYUDv2 "
                       "list layout (train.txt / val.txt) under --root",
                       choices=("synthetic", "nyud"))
    root: str = option("runs/synthetic_rgbd", "data folder")
    num_classes: int = option(40, "classes of nyud data", check="positive_int")
    crop_size: int = option(500, "nyud training crop", check="positive_int",
                            evaluate="nyud training crop, not read by evaluate (each test "
                            "scene is scored at its own size): another is refused")
    depth_scale: float = option(1 / 5000, "nyud depth PNG value x this = metres (NYUDv2's "
                                "1/5000; 0.001 for millimetres)", check="positive_float",
                                evaluate="nyud depth PNG value x this = metres: the test "
                                "scenes are read as the checkpoint's training scenes were, "
                                "another is refused")
    size: int = option(64, "synthetic image side", check="positive_int")
    num_train: int = option(192, "synthetic train scenes", check="positive_int")
    num_test: int = option(64, "synthetic test scenes", check="positive_int")
    data_seed: int = option(0, "synthetic generator seed", check="nonneg_int")
    batch_size: int = option(8, "images per step", check="positive_int")
    workers: int = option(0, "data loader workers (another count is another run: each "
                          "worker draws its own crops and flips); at most 4 x the CPUs this "
                          "process may use", check="nonneg_int",
                          evaluate="data loader workers (the test scenes are neither cropped "
                          "nor flipped: any count scores the same); at most 4 x the CPUs "
                          "this process may use")


@documented
@dataclass
class SegmentModelConfig:
    """The segmenter: AsymFusion or an ablation variant on a ResNet encoder."""
    variant: str = option("asymfusion", "asymfusion or an ablation baseline",
                          choices=tuple(VARIANTS))
    depth: int | None = option(None, "ResNet depth (default: none, --block/--layers instead)",
                               check="int", choices=(18, 34, 50, 101, 152))
    block: str = option("bottleneck", "ResNet block of --layers", choices=("basic", "bottleneck"))
    layers: tuple = option((1, 1, 1, 1), "blocks per stage, e.g. 3,4,6,3 (default: 1,1,1,1)",
                           check="four_ints")
    width: int = option(64, "stem channels (64 = ResNet; below 5 the first stage's "
                       "fusion exchanges nothing)", check="positive_int")
    decoder_features: int = option(256, "decoder channels", check="positive_int")
    light: bool = option(False, "Light-Weight RefineNet decoder", check="store_true")
    dropout: float = option(0.5, "dropout before the classifier", check="fraction")
    frozen_stats: bool = option(False, "freeze BN running statistics, train only the private "
                                "affine", check="store_true")
    pretrained: str | None = option(None, "local torchvision ResNet checkpoint (.pth)")


@documented
@dataclass
class SegmentTrainConfig:
    """The optimiser of the segmenter."""
    epochs: int = option(20, "training epochs", check="positive_int")
    lr: float = option(2e-3, "learning rate", check="positive_float")
    weight_decay: float = option(1e-5, "weight decay", check="nonneg_float")
    seed: int = option(0, "seed of the weights and batches", check="nonneg_int")


# -- multi-modal translation -----------------------------------------------
@documented
@dataclass
class TranslateDataConfig:
    """The scenes: generated, or a Taskonomy-style folder per modality."""
    data: str = option("synthetic", "'synthetic' (generated scenes) or a Taskonomy-style "
                       "folder with one sub-folder per modality")
    modalities: str | None = option("shade,depth", "comma-separated input modalities",
                                    evaluate="comma-separated input modalities: the "
                                    "checkpoint's, another is refused")
    target: str = option("rgb", "target modality folder")
    image_size: int = option(32, "images are resized to image-size x image-size",
                             check="positive_int")
    root: str = option("runs/data/synthetic_translation", "cache folder of the synthetic data")
    batch_size: int = option(16, "images per step", check="positive_int")
    seed: int = option(0, "seed of the weights and the batches (and of the synthetic scenes "
                       "unless --data-seed is given)", check="nonneg_int",
                       evaluate="seed of the synthetic test scenes unless --data-seed is given "
                       "(evaluate draws nothing else)")
    data_seed: int | None = option(None, "seed of the synthetic scenes (default: --seed)",
                                   check="nonneg_int")


@documented
@dataclass
class TranslateTrainDataConfig:
    """The training and validation scenes."""
    val_data: str | None = option(None, "validation folder (Taskonomy-style); default: 10%% of "
                                  "--data, or the synthetic validation split")
    num_train: int = option(800, "synthetic training scenes", check="positive_int")
    num_val: int = option(200, "synthetic validation scenes", check="positive_int")
    depth_folders: str | None = option(None, "comma-separated folders (inputs, target) read as "
                                       "Taskonomy depth, 16-bit 65535 = no depth; 'none': no "
                                       "folder (default: those named depth...)")


@documented
@dataclass
class TranslateModelConfig:
    """The shared U-Net generator, its PatchGAN critic and their optimiser."""
    epochs: int = option(20, "training epochs", check="positive_int")
    ngf: int = option(16, "generator width (pix2pix: 64; below 3 the fusion at level 1 "
                     "exchanges nothing)", check="positive_int")
    num_downs: int | None = option(None, "U-Net levels (default: log2(image-size))",
                                   check="positive_int")
    modality_norm: str = option("batch", "private normalisation of each modality (the "
                                "generator's `norm`)", choices=("batch", "instance"))
    gan_mode: str = option("vanilla", "'none' trains L1 only",
                           choices=("vanilla", "lsgan", "none"))
    lambda_l1: float = option(100.0, "weight of the L1 loss", check="nonneg_float")
    lambda_gan: float = option(1.0, "weight of the GAN loss", check="nonneg_float")
    ndf: int = option(32, "critic width", check="positive_int")
    d_layers: int = option(2, "PatchGAN stride-2 layers (3 = 70x70 patches)",
                           check="positive_int")
    lr: float = option(2e-4, "learning rate", check="positive_float")


@documented
@dataclass
class TranslateEvalConfig:
    """The test scenes and the FID / KID feature network."""
    num_test: int = option(200, "synthetic test scenes", check="positive_int")
    inception: str | None = option(None, "local TorchScript / torch.export feature network for "
                                   "FID and KID (nothing is downloaded)")
    inception_size: int = option(299, "input side of --inception", check="positive_int")
    num_figure: int = option(4, "scenes shown in the figure", check="nonneg_int")


__all__ = ["SegmentDataConfig", "SegmentModelConfig", "SegmentTrainConfig",
           "TranslateDataConfig", "TranslateTrainDataConfig", "TranslateModelConfig",
           "TranslateEvalConfig"]
