"""What the image commands (``segment`` and ``translate``, ``train`` and
``evaluate``) do with their parsed flags: one run of
:mod:`pyg_fusion.experiments` from the command's typed configs."""
from __future__ import annotations

from typing import Callable

from ._config_flags import image_full_config, once


def run_image_command(args, run: Callable) -> int:
    """Calls ``run`` (``run_segment``, ``evaluate_segment``, ``run_translate``
    or ``evaluate_translate``) with ``--checkpoint`` for an evaluate, then the
    command's typed configs in the order of its sections
    (:data:`~pyg_fusion.experiments.image_config.SECTIONS`), ``--out`` and the
    settings every image command shares; returns the exit code, 0.

    Args:
        args (argparse.Namespace): the command's parsed flags.
        run (Callable): the run of :mod:`pyg_fusion.experiments` the command names.
    """
    from ..experiments.image_config import image_configs

    configs = image_configs(args.command, args.action, args)
    if args.action == "evaluate":  # as the graph evaluate: not among a run's files
        from ..experiments.image_run import check_report_replaceable
        from .evaluate import check_not_a_run_folder
        check_report_replaceable(args.out)  # an image training run's report: its own message
        check_not_a_run_folder(args.out, "files")
    head = (args.checkpoint, ) if args.action == "evaluate" else ()
    train = {"resume": args.resume} if args.action == "train" else {}
    run(*head, *configs.values(), args.out, progress=not args.no_progress,
        config=image_full_config(args), accelerator=args.accelerator,
        force_reload=args.force_reload, **train)
    return 0


def add_resume_argument(parser) -> None:
    """Declares ``--resume`` of ``segment train`` and ``translate train``
    (:mod:`~pyg_fusion.experiments._image_resume`): an instruction to this
    run, not one of its settings (left out of its recorded config and
    refused in a ``--config`` file, :func:`~._config_flags.once`)."""
    once(parser.add_argument("--resume", action="store_true",
                             help="continue the interrupted run in --out from its last epoch "
                             "(OUT/train.partial/checkpoints/last.ckpt), given the same settings "
                             "(other settings are refused); without one there, train from the "
                             "start"))
