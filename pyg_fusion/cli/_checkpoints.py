"""Reading back a checkpoint of ``pyg-fusion train``: the checkpoint and its
config, and the data it was trained on (shared by ``evaluate`` and ``plot``)."""
from __future__ import annotations

from . import CLIError
from ._runs import SYNTHETIC_SETTINGS, load_data

# dataset options whose None means: what the checkpoint's training used
FROM_CHECKPOINT = dict(data_seed=None, relational_shift=None, standardize=None)


def load_train_checkpoint(path: str, flag: str = "--checkpoint"):
    """``(checkpoint, hyper_parameters, config)`` of a checkpoint written by
    ``pyg-fusion train``, loaded by :func:`pyg_fusion._files.load_checkpoint`
    (``weights_only=True``); errors name ``flag`` and the file."""
    from .._files import load_checkpoint
    ckpt = load_checkpoint(path, what=flag, keys=("state_dict", "hyper_parameters"))
    hp = ckpt["hyper_parameters"]
    cfg = hp.get("config") if isinstance(hp, dict) else None
    if not isinstance(cfg, dict) or not {"method", "dataset"} <= set(cfg) or \
            not isinstance(ckpt["state_dict"], dict):
        raise CLIError(f"{flag}: {path} is not a checkpoint of `pyg-fusion train` (its "
                       "hyper_parameters hold no config with method and dataset)")
    return ckpt, hp, cfg


def checkpoint_data(args, cfg: dict, state_dict: dict, path: str):
    """``(task data, standardizer)`` of a checkpoint: the dataset options that
    ``args`` leaves at ``None`` (data seed, relational shift, standardisation)
    and, for ``--dataset vad`` without ``--vad-source``, the ``--vad-*``
    values are those training used (``cfg["data"]``); a standardised
    checkpoint's statistics (buffers ``standardizer.*``) are applied."""
    from ..datasets import StandardizeSources
    setting = cfg.get("setting", "").split(",")[0]
    if cfg["dataset"] == "synthetic-vad" and setting in SYNTHETIC_SETTINGS:
        args.setting = setting
    data = cfg.get("data", {})
    if args.data_seed is None:
        args.data_seed = data.get("data_seed", 0)
    if args.relational_shift is None:
        args.relational_shift = data.get("relational_shift", 0.0)
    if cfg["dataset"] == "vad" and not args.vad_source and "vad" in data:
        for key, value in data["vad"].items():  # where training found the features
            setattr(args, key, value)
    standardizer = StandardizeSources.from_state_dict(state_dict, "standardizer.")
    if args.standardize and standardizer is None:
        raise CLIError(f"--standardize: the checkpoint {path} was trained without it, so it "
                       f"holds no training statistics")
    if args.standardize is False and standardizer is not None:
        raise CLIError(f"--no-standardize: the checkpoint {path} was trained on standardised "
                       f"features; its statistics are applied")
    return load_data(args, cfg["seed"], standardizer=standardizer), standardizer


def model_from_checkpoint(cfg: dict, td, state_dict: dict):
    """The model of a checkpoint: built from its config (method and options)
    for the data ``td`` (:func:`checkpoint_data`), its weights (the
    ``model.*`` entries of ``state_dict``) loaded strictly; in eval mode."""
    from ..experiments import MethodSpec
    from ..methods import Dims, build_spec
    # checkpoints written before the spec was saved hold the given options only
    spec = (MethodSpec.from_dict(cfg["spec"]) if "spec" in cfg
            else MethodSpec.create(cfg["method"], td.task, cfg.get("options", {})))
    if td.task == "node":
        dims = Dims(td.in_channels, td.num_classes, num_nodes=td.graph.num_nodes)
    else:
        dims = Dims(td.in_channels, num_segments=int(td.train[0].num_nodes))
    model = build_spec(spec, dims)
    model.load_state_dict({k[len("model."):]: v for k, v in state_dict.items()
                           if k.startswith("model.")})
    return model.eval()
