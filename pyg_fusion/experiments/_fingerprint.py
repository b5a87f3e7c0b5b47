"""What data a run was trained and tested on: a fingerprint of the loaded
datasets (:func:`data_fingerprint`, recorded by
:func:`~pyg_fusion.experiments.data.load_data` with the run) and the notice
when a checkpoint is scored on other data (:func:`check_fingerprint`).
Importable from :mod:`pyg_fusion.experiments.checkpoints` as before."""
from __future__ import annotations

import dataclasses

from .data import NO_GROUND_TRUTH, DataConfig


def data_fingerprint(datasets: dict) -> dict[str, str]:
    """``{part: hash}`` of the stored tensors and values of ``datasets``
    (``{split: FusionDataset}``; the node task's one graph under ``""``): each
    attribute of the collated store (features ``x_<source>``, labels ``y``,
    the split masks, ground truth, video names...) and its slices, as loaded
    and before any transform (a VAD standardiser is the checkpoint's), so
    that a checkpoint names the data it was trained and tested on. SHA-256
    of dtype, shape and bytes, 16 hex digits per part: the same on every run
    and machine for the same values (milliseconds for the bundled sets).

    Args:
        datasets (dict[str, FusionDataset]): the datasets by split.
    """
    import hashlib
    import json

    import torch
    out = {}
    for split, ds in datasets.items():
        store, slices = ds._data.to_dict(), ds.slices or {}
        for key in sorted(store):
            h = hashlib.sha256()
            for v in (store[key], slices.get(key)):
                if isinstance(v, torch.Tensor):
                    t = v.detach().cpu().contiguous()
                    h.update(f"{t.dtype}{list(t.shape)}".encode())
                    h.update(t.view(-1).view(torch.uint8).numpy())
                else:
                    h.update(json.dumps(v, sort_keys=True, default=str).encode())
            out[f"{split}.{key}" if split else key] = h.hexdigest()[:16]
    return out


def check_fingerprint(cfg: dict, td, path: str, data: DataConfig, *,
                      stacklevel: int = 4) -> None:
    """Warns (:class:`~pyg_fusion.PygFusionNotice`, one sentence) when the
    data ``td`` differs from what the checkpoint ``path`` was trained and
    tested on (``cfg["data"]["fingerprint"]``, :func:`data_fingerprint`),
    naming the parts that differ: under the checkpoint's own paths the files
    changed since, and the scores are of their new contents; with data
    options given anew in ``data`` whose value as loaded (paths made
    absolute) differs from the checkpoint's (e.g. ``--root``, ``--views``),
    other data is a purpose the notice names. Silent for the same data and
    for checkpoints that predate the fingerprint; only the splits read are
    compared, and with a VAD test list given anew (``vad_test_list``) or
    test videos without ground truth (``vad_gt="none"``), its test split is not.

    Args:
        cfg (dict): the checkpoint's recorded config.
        td (TaskData): the data about to be scored (:func:`checkpoint_data`),
            its fingerprint in ``td.extra["fingerprint"]``.
        path (str): the checkpoint's file, named in the notice.
        data (DataConfig): the dataset options given (a field ``None``:
            the checkpoint's).
        stacklevel (int, optional): the frame the warning names, as
            :func:`warnings.warn` counts. (default: :obj:`4`, the caller of
            :func:`evaluate_checkpoint`, past its ``keeps_global_rng`` wrapper)
    """
    from .._notices import notice
    saved = cfg.get("data", {}).get("fingerprint")
    now = td.extra.get("fingerprint")
    if isinstance(saved, dict) and now is not None:
        # the splits read (new videos to score: the test split alone)
        read = {k.split(".")[0] for k in now}
        saved = {k: v for k, v in saved.items() if k.split(".")[0] in read}
    if isinstance(saved, dict) and now is not None and (
            data.vad_test_list is not None or data.vad_gt == NO_GROUND_TRUTH):
        # other test videos given are the purpose (e.g. new ones to score, a list
        # or a folder): the model's own data, its training split, is what must
        # not have changed
        saved, now = ({k: v for k, v in d.items() if not k.startswith("test.")}
                      for d in (saved, now))
    if not isinstance(saved, dict) or now is None or saved == now:
        return
    # the options given other than the checkpoint's, as loaded (paths made
    # absolute): they chose other data (the split rates and the
    # standardisation must be the checkpoint's: checkpoint_data)
    trained = cfg.get("data_config") or {}
    loaded = dataclasses.asdict(td.config) if td.config is not None else {}
    given = [f"--{f.name.replace('_', '-')}" for f in dataclasses.fields(DataConfig)
             if f.name not in ("dataset", "standardize", "val_rate", "test_rate")
             and getattr(data, f.name) is not None
             and loaded.get(f.name) != trained.get(f.name)]
    parts = sorted(k for k in set(saved) | set(now) if saved.get(k) != now.get(k))
    shown = ", ".join(parts[:6]) + (f" and {len(parts) - 6} more" if len(parts) > 6 else "")
    if given:
        msg = (f"the data given anew ({', '.join(given)}) is not what the checkpoint {path} "
               f"was trained and tested on (other values of {shown}); the scores are of the "
               f"data given")
    else:
        msg = (f"the data of the checkpoint {path} changed since it was trained: its recorded "
               f"files now hold other values of {shown}; the scores are of the data as it is now")
    notice(msg, stacklevel=stacklevel)
