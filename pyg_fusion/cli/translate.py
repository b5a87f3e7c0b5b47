"""``pyg-fusion translate train|evaluate|predict``: AsymFusion multi-modal
image translation (docs/methods.md §2.6); ``predict`` runs a checkpoint on new
scenes without targets (:mod:`pyg_fusion.experiments.translate_predict`)."""
from __future__ import annotations

from ._config_flags import (add_config_file_flags, add_field_flags, add_force_reload_argument,
                            check_image_command)
from ._process import add_accelerator_argument, add_progress_argument, add_threads_argument
from . import OUT_REQUIRED, out_folder
from ._flag_types import input_path
from ._help import HelpFormatter
from ._image_commands import add_resume_argument, run_image_command
from .evaluate import check as check_checkpoint


EVALUATE_DATA = ("Score a checkpoint of `translate train` on the test split of the scenes it "
                 "was trained on: every data setting comes from the checkpoint. A flag given "
                 "here overrides it: --data (another folder), --root, --seed, --data-seed, "
                 "--target and --batch-size; --modalities must be the checkpoint's, and "
                 "--image-size must suit its U-Net levels (divisible by 2**num_downs; another "
                 "side than the checkpoint's gets a notice). A checkpoint trained on a folder "
                 "needs --data: the test folder, whose every scene is scored (--root, "
                 "--data-seed and --num-test are the synthetic scenes').")

PREDICT = ("Run a checkpoint of `translate train` on new scenes without targets, on the CPU: "
           "a Taskonomy-style folder with one sub-folder per input modality of the checkpoint, "
           "its images resized to the checkpoint's --image-size as in training. Writes the "
           "ensemble's image of each scene in OUT/predictions (a 1-channel target as a 16-bit "
           "grey PNG, by 65535 and at most 65534, as 65535 marks no depth; 3 channels as "
           "8-bit RGB) and a table of them, OUT/predictions.csv.")


def register(subparsers) -> None:
    from ..experiments.image_config import (TranslateDataConfig, TranslateEvalConfig,
                                            TranslateModelConfig, TranslateTrainDataConfig)

    p = subparsers.add_parser(
        "translate", help="AsymFusion multi-modal image-to-image translation: train | "
        "evaluate | predict (also: train/evaluate --task translate)",
        description="Train or evaluate AsymFusion's shared U-Net generator "
        "that translates several input modalities (e.g. shade + depth) into "
        "an RGB image.")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    def data_args(q, *, from_checkpoint: bool = False):
        add_field_flags(q, TranslateDataConfig, from_checkpoint=from_checkpoint)
        add_force_reload_argument(q)
        add_threads_argument(q)
        add_accelerator_argument(q)

    t = sub.add_parser("train", help="train a generator",
                       formatter_class=HelpFormatter)
    data_args(t)
    add_field_flags(t, TranslateTrainDataConfig)
    add_field_flags(t, TranslateModelConfig)
    g = t.add_argument_group("output")
    g.add_argument("--out", type=out_folder, help="output folder (logs, checkpoints, "
                   "metrics.json, metrics.md; translate evaluate draws translation.png) "
                   + OUT_REQUIRED)
    add_progress_argument(g)
    add_resume_argument(g)
    add_config_file_flags(t)
    t.set_defaults(func=_train, check=check_image_command)

    e = sub.add_parser("evaluate", help="evaluate a trained generator",
                       description=EVALUATE_DATA, formatter_class=HelpFormatter)
    data_args(e, from_checkpoint=True)
    add_field_flags(e, TranslateEvalConfig)
    g = e.add_argument_group("input and output")
    g.add_argument("--checkpoint", required=True, type=input_path,
                   help="a .ckpt written by 'translate train'")
    g.add_argument("--out", type=out_folder, help="folder for metrics.json, metrics.md and "
                   "translation.png " + OUT_REQUIRED)
    add_progress_argument(g)
    add_config_file_flags(e)
    e.set_defaults(func=_evaluate, check=_check_evaluate)

    r = sub.add_parser("predict", help="translate new scenes, without targets",
                       description=PREDICT, formatter_class=HelpFormatter)
    r.add_argument("--checkpoint", required=True, type=input_path,
                   help="a .ckpt written by 'translate train'")
    r.add_argument("--data", required=True,
                   help="folder with one sub-folder per input modality of the checkpoint")
    r.add_argument("--out", required=True, type=out_folder,
                   help="output folder: predictions/ (a PNG per scene) and predictions.csv")
    add_threads_argument(r)
    add_progress_argument(r)
    r.set_defaults(func=_predict, check=_check_predict)


def _train(args) -> int:
    from ..experiments.translate_run import run_translate
    return run_image_command(args, run_translate)


def _evaluate(args) -> int:
    from ..experiments.translate_run import evaluate_translate
    return run_image_command(args, evaluate_translate)


def _check_evaluate(args) -> None:
    # the run's order: --data, then the checkpoint (as --print-config's)
    check_image_command(args)
    check_checkpoint(args)


def _check_predict(args) -> None:
    # as segment predict's: the checkpoint, then the scenes
    from ..experiments.translate_data import check_folder
    check_checkpoint(args)
    check_folder(args.data, "--data")


def _predict(args) -> int:
    from ..experiments.translate_predict import predict_translate
    predict_translate(args.checkpoint, args.data, args.out, progress=not args.no_progress)
    return 0
