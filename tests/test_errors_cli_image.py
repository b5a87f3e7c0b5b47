"""The CLI's error contract for the image commands (translate and segment,
train and evaluate; train / evaluate --task): every user error prints one
line ``pyg-fusion <command>: error: ...`` and exits with 2, never a
traceback; see tests/bad_inputs.py and tests/test_errors_cli.py."""
import os

import pytest
import torch

from bad_inputs import CLICase, cli_outcome
from test_errors_cli import (GARBAGE, LIST, TRAIN_CKPT, _file, _save, _translation_checkpoint,
                             _write)


def _image_checkpoints(tmp):
    """Checkpoints of ``translate train`` (16-pixel images, a 4-level U-Net;
    the synthetic scenes or a folder) and ``segment train`` (the synthetic scenes; NYUDv2-layout data of 40
    classes), each recording its data settings as training does."""
    import dataclasses

    from pyg_fusion.datasets.synthetic_rgbd import SYNTHETIC_RGBD_CLASSES
    from pyg_fusion.experiments.image_config import SegmentDataConfig, TranslateDataConfig
    from pyg_fusion.training.segmentation import SegmentationModule
    from pyg_fusion.training.translation import TranslationModule

    def save(module, name):
        torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
                   os.path.join(tmp, name))

    data = dataclasses.asdict(TranslateDataConfig(image_size=16, root=f"{tmp}/data"))
    save(TranslationModule(["shade", "depth"], [1, 1], ngf=2, num_downs=4, ndf=2,
                           data_config=data), "tr16.ckpt")
    save(TranslationModule(["shade", "depth"], [1, 1], ngf=2, num_downs=4, ndf=2,
                           data_config={**data, "data": f"{tmp}/taskonomy"}), "trdir.ckpt")
    arch = dict(width=4, decoder_features=8, light=True, depth=None, block="basic",
                layers=[1, 1, 1, 1])
    for name, kind, k in (("seg.ckpt", "synthetic", len(SYNTHETIC_RGBD_CLASSES)),
                          ("nyud.ckpt", "nyud", 40)):
        data = dataclasses.asdict(SegmentDataConfig(data=kind, root=f"{tmp}/data", size=16))
        save(SegmentationModule("asymfusion", k, arch, data_config=data), name)


# A data setting given to an image evaluate overrides the checkpoint's
# recorded one, unless the model cannot take it.
EVAL = ["--out", "{tmp}/o"]


IMAGE_EVALUATE = [
    CLICase("evaluate --task translate: --image-size against the recorded 4-level U-Net",
            ["evaluate", "--task", "translate", "--checkpoint", "{tmp}/tr16.ckpt", *EVAL,
             "--image-size", "24"],
            r"--image-size 24 is not divisible by 2\*\*num_downs = 16 \(num_downs of the "
            r"checkpoint\)", _image_checkpoints, command="translate evaluate"),
    CLICase("evaluate --dataset synthetic-translation: --image-size 8 for a 4-level U-Net",
            ["evaluate", "--dataset", "synthetic-translation", "--checkpoint",
             "{tmp}/tr16.ckpt", *EVAL, "--image-size", "8"],
            r"--image-size 8 is not divisible by 2\*\*num_downs = 16", _image_checkpoints,
            command="translate evaluate"),
    CLICase("translate evaluate: --modalities other than the checkpoint's",
            ["translate", "evaluate", "--checkpoint", "{tmp}/tr16.ckpt", *EVAL,
             "--modalities", "depth"],
            r"--modalities depth: the checkpoint was trained on shade,depth$",
            _image_checkpoints),
    CLICase("translate evaluate: a checkpoint trained on a folder, no --data",
            ["translate", "evaluate", "--checkpoint", "{tmp}/trdir.ckpt", *EVAL],
            r"--data: the checkpoint was trained on the folder '.*taskonomy', which has no "
            r"test split; give the test folder with --data$", _image_checkpoints),
    CLICase("segment evaluate: --num-classes other than the checkpoint's",
            ["segment", "evaluate", "--checkpoint", "{tmp}/nyud.ckpt", *EVAL,
             "--num-classes", "13"],
            r"--num-classes 13 does not match the checkpoint's 40 classes$", _image_checkpoints),
    CLICase("evaluate --dataset synthetic-rgbd: a 40-class nyud checkpoint",
            ["evaluate", "--dataset", "synthetic-rgbd", "--checkpoint", "{tmp}/nyud.ckpt",
             *EVAL],
            r"--data synthetic has \d+ classes, the checkpoint's model 40$", _image_checkpoints,
            command="segment evaluate"),
]


# Settings that each pass their flag's check but that the image networks
# cannot run together; they are refused before any data is made.
TR = ["translate", "train", "--out", "{tmp}/o"]


SEG = ["segment", "train", "--out", "{tmp}/o"]


CRITIC = r"--image-size {} is too small for the PatchGAN critic with --d-layers {}, which needs"


ONE_IMAGE = r"gives training batches of one image, and at {} the encoder's deepest map is 1x1"


IMAGE_SETTINGS = [
    CLICase("translate train: --image-size 8 with the default critic",
            [*TR, "--image-size", "8"], CRITIC.format(8, 2) + r" >= 12 pixels"),
    CLICase("translate train: --image-size 8 --num-downs 3 with the default critic",
            [*TR, "--image-size", "8", "--num-downs", "3"], CRITIC.format(8, 2)),
    CLICase("train --task translate: --image-size 8 with the default critic",
            ["train", "--task", "translate", "--out", "{tmp}/o", "--image-size", "8"],
            CRITIC.format(8, 2), command="translate train"),
    CLICase("translate train: --d-layers 3 on 16-pixel images",
            [*TR, "--image-size", "16", "--d-layers", "3"], CRITIC.format(16, 3) + r" >= 24"),
    CLICase("translate train: --image-size 24 with the default --num-downs",
            [*TR, "--image-size", "24"],
            r"--image-size 24 is not divisible by 2\*\*num_downs = 16 \(--num-downs defaults"),
    CLICase("translate train: --num-downs 6 on 32-pixel images",
            [*TR, "--image-size", "32", "--num-downs", "6"],
            r"--image-size 32 is not divisible by 2\*\*num_downs = 64$"),
    CLICase("translate train: --num-downs 1", [*TR, "--num-downs", "1"],
            r"--num-downs must be >= 2, got 1"),
    CLICase("translate train: a folder's --target that is also one of --modalities",
            [*TR, "--data", "{tmp}", "--modalities", "shade,depth", "--target", "depth"],
            r"--target 'depth' is also one of --modalities 'shade,depth': give a --target "
            r"that is not an input"),
    CLICase("translate train: --image-size 4 without a critic",
            [*TR, "--image-size", "4", "--gan-mode", "none"], r"--image-size must be >= 8, got 4"),
    CLICase("translate evaluate: --image-size against the checkpoint's num_downs",
            ["translate", "evaluate", "--checkpoint", "{tmp}/tr.ckpt", "--out", "{tmp}/o",
             "--image-size", "24"],
            r"--image-size 24 is not divisible by 2\*\*num_downs = 16 \(num_downs of the "
            r"checkpoint\)", _translation_checkpoint),
    CLICase("segment train: --batch-size 1 on 16-pixel scenes",
            [*SEG, "--size", "16", "--batch-size", "1"],
            r"--batch-size 1 " + ONE_IMAGE.format("--size 16")),
    CLICase("segment train: --num-train 1 on 32-pixel scenes",
            [*SEG, "--size", "32", "--num-train", "1"],
            r"--num-train 1 " + ONE_IMAGE.format("--size 32")),
    CLICase("train --task segment: nyud --crop-size 32 --batch-size 1",
            ["train", "--task", "segment", "--out", "{tmp}/o", "--data", "nyud",
             "--crop-size", "32", "--batch-size", "1"],
            r"--batch-size 1 " + ONE_IMAGE.format("--crop-size 32"), command="segment train"),
]


def catalogue():
    ck = "{tmp}/list.ckpt"
    return [
        CLICase("segment evaluate: missing checkpoint",
                ["segment", "evaluate", "--checkpoint", "{tmp}/no.ckpt", "--out", "{tmp}/o"],
                r"--checkpoint: no such file: .*no\.ckpt"),
        CLICase("segment evaluate: checkpoint holding a list",
                ["segment", "evaluate", "--checkpoint", ck, "--out", "{tmp}/o"],
                r"--checkpoint: .*list\.ckpt holds a list", LIST),
        CLICase("segment evaluate: checkpoint of pyg-fusion train",
                ["segment", "evaluate", "--checkpoint", "{tmp}/t.ckpt", "--out", "{tmp}/o"],
                r"--checkpoint: .*t\.ckpt is a checkpoint of `pyg-fusion train`, not of the "
                r"segment task; evaluate it with `pyg-fusion evaluate`",
                _save("t.ckpt", TRAIN_CKPT)),
        CLICase("translate evaluate: garbage checkpoint",
                ["translate", "evaluate", "--checkpoint", "{tmp}/garbage.ckpt", "--out",
                 "{tmp}/o"], r"--checkpoint: cannot read .*garbage\.ckpt", GARBAGE),
        CLICase("translate evaluate: checkpoint holding a list",
                ["translate", "evaluate", "--checkpoint", ck, "--out", "{tmp}/o"],
                r"--checkpoint: .*list\.ckpt holds a list", LIST),
        CLICase("segment train: nyud --root without train.txt",
                ["segment", "train", "--data", "nyud", "--root", "{tmp}", "--out", "{tmp}/o"],
                r"--root .* has no train list: put train.txt there"),
        CLICase("segment train: nyud --root with train.txt but no val.txt or test.txt",
                ["segment", "train", "--data", "nyud", "--root", "{tmp}", "--out", "{tmp}/o"],
                r"--root .* has no test list: put val.txt or test.txt there",
                _write("train.txt", b"rgb/0.png\tmask/0.png\tdepth/0.png\n")),
        CLICase("segment train: --out is a file", ["segment", "train", "--out", "{tmp}/f"],
                r"argument --out: .*f is an existing file", _file("f")),
        CLICase("translate train: --out is a file", ["translate", "train", "--out", "{tmp}/f"],
                r"argument --out: .*f is an existing file", _file("f")),
        CLICase("segment train: --threads 0", ["segment", "train", "--threads", "0"],
                r"argument --threads: expected an integer from 1 to \d+ \(4 x the \d+ CPUs"),
        CLICase("translate train: --threads 0", ["translate", "train", "--out", "{tmp}/o",
                                                 "--threads", "0"],
                r"argument --threads: expected an integer from 1 to \d+ \(4 x the \d+ CPUs"),
        CLICase("segment train: --width 0", ["segment", "train", "--out", "{tmp}/o",
                                             "--width", "0"],
                r"argument --width: expected a positive integer"),
        CLICase("segment train: --epochs -1", ["segment", "train", "--out", "{tmp}/o",
                                               "--epochs", "-1"],
                r"argument --epochs: expected a positive integer"),
        CLICase("segment train: --batch-size 0", ["segment", "train", "--out", "{tmp}/o",
                                                  "--batch-size", "0"],
                r"argument --batch-size: expected a positive integer"),
        CLICase("translate train: --image-size 0", ["translate", "train", "--out", "{tmp}/o",
                                                    "--image-size", "0"],
                r"argument --image-size: expected a positive integer"),
        CLICase("translate train: --seed -3", ["translate", "train", "--out", "{tmp}/o",
                                               "--seed", "-3"],
                r"argument --seed: expected an integer >= 0"),
        CLICase("segment train: --dropout 1", ["segment", "train", "--out", "{tmp}/o",
                                               "--dropout", "1"],
                r"argument --dropout: expected a number in \[0, 1\), got 1.0"),
        CLICase("segment train: --weight-decay -1", ["segment", "train", "--out", "{tmp}/o",
                                                     "--weight-decay", "-1"],
                r"argument --weight-decay: expected a finite number >= 0"),
        CLICase("translate train: --lambda-l1 nan", ["translate", "train", "--out", "{tmp}/o",
                                                     "--lambda-l1", "nan"],
                r"argument --lambda-l1: expected a finite number >= 0, got nan"),
        *IMAGE_SETTINGS,
        *IMAGE_EVALUATE,
        CLICase("segment train: no --out", ["segment", "train", "--epochs", "1"],
                r"the following arguments are required: --out"),
        CLICase("train --task translate: no --out", ["train", "--task", "translate"],
                r"the following arguments are required: --out", command="translate train"),
    ]


CASES = catalogue()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_one_line_error_exit_2(case, tmp_path):
    kind, detail = cli_outcome(case, str(tmp_path))
    assert kind == "clear", detail
    assert not (tmp_path / "pwned").exists()  # no checkpoint runs code
