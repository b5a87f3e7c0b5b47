"""The starts of a VAD run's LEGO operator: with ``init="auto"`` (see
:meth:`~pyg_fusion.experiments.MethodSpec.with_init`) the run trains once from
each of :data:`STARTS` and keeps the one of best held-out score; otherwise
from its one start (:func:`~pyg_fusion.training.vad_fit.fit_vad`)."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from .._files import atomic_write
from ..specs.components import STARTS
from ..specs.method_spec import MethodSpec
from .data import TaskData

# the held-out loss recorded for each start that init="auto" tries
START_LOSSES = tuple(f"val_loss_{s}" for s in STARTS)


def vad_starts(td: TaskData, spec: MethodSpec) -> list[str]:
    """The starts of the LEGO operator that a VAD ``spec`` trains from on
    ``td`` (:data:`STARTS` with ``init="auto"`` and a LEGO operator, else its
    one start); a :class:`ValueError` naming the flags where ``init="auto"``
    or ``operator_warmup="auto"`` cannot run (no held-out videos to choose
    on, no ``patience`` to end the warm-up, or a start that does not build),
    raised before any of its runs trains. The caller's random states are
    kept (the probe models draw their weights).

    Args:
        td (TaskData): the VAD data.
        spec (MethodSpec): the method's config.
    """
    from ..methods import Dims, build_spec
    from ..nn import LEGOFusion
    from ..training.seeding import keep_global_rng
    auto_init = spec.fusion.init == "auto"
    if not auto_init and spec.trainer.operator_warmup != "auto":
        return [spec.fusion.init]
    dims = Dims(td.in_channels, num_segments=int(td.train[0].num_nodes))
    with keep_global_rng():
        probe = build_spec(spec.with_init("product") if auto_init else spec, dims)
    # without A neither choice has anything to choose (the run is a plain one)
    lego = any(isinstance(m, LEGOFusion) for m in probe.modules())
    val_fraction, patience = spec.objective.val_fraction, spec.trainer.patience
    # the settings' errors name the flags, as specs/method_spec.py's (fit_vad, called
    # from Python, names its arguments)
    if lego and auto_init and not val_fraction:
        # lego's defaults set both: naming one sent the user back for a second error
        also = ("; --operator-warmup auto needs it too (or an int --operator-warmup, e.g. 0)"
                if spec.trainer.operator_warmup == "auto" else "")
        raise ValueError("--init auto chooses the start on held-out videos: it needs "
                         "--val-fraction > 0 (or --init product or mean), got "
                         f"--val-fraction {val_fraction}{also}")
    if lego and spec.trainer.operator_warmup == "auto" and (not val_fraction
                                                            or patience is None):
        raise ValueError("--operator-warmup auto ends the warm-up when the held-out score "
                         "stops improving: it needs --val-fraction > 0 and --patience (or "
                         f"an int --operator-warmup), got --val-fraction {val_fraction}"
                         + (" and no --patience" if patience is None
                            else f", --patience {patience}"))
    if not auto_init:
        return [spec.fusion.init]
    starts = list(STARTS) if lego else ["product"]
    for start in starts[1:]:  # every start builds, before any trains (fit_vad reseeds)
        try:
            with keep_global_rng():
                build_spec(spec.with_init(start), dims)
        except ValueError as exc:
            raise ValueError(f"--init auto trains from the {' and the '.join(starts)} "
                             f"starts, but {spec.method} has no {start} start: {exc} "
                             f"(give --init product)") from None
    return starts


def _fit_starts(td: TaskData, spec: MethodSpec, config: dict[str, Any], seed: int,
                out_dir: Path, *, starts: list[str] | None = None, **kw) -> dict[str, Any]:
    """:func:`~pyg_fusion.training.vad_fit.fit_vad` of a VAD spec; with
    ``init="auto"`` (needs held-out videos; with any warm-up, meant for
    ``operator_warmup="auto"``) and a LEGO operator, once from each of :data:`STARTS`
    (the same seed, so the same held-out videos, batches and head
    initialisation) in ``out_dir/init_<start>``, and the run of best held-out
    score (``val_score``; ties: the product) is returned and its
    ``best.ckpt`` and ``last.ckpt`` copied to ``out_dir/checkpoints``; each
    run's checkpoints keep the run's spec (``init="auto"``) and name their
    start (``config["start"]``), from which they are rebuilt. Both runs train in full:
    the choice sees each start's best epoch of both warm-up phases, at twice
    the training time. Adds ``start_mean`` (1 when the mean start was
    chosen) and each start's held-out loss (``val_loss_<start>``). ``starts``:
    :func:`vad_starts` of ``td`` and ``spec`` where the caller has them (found
    here otherwise)."""
    from ..methods import Dims
    dims = Dims(td.in_channels, num_segments=int(td.train[0].num_nodes))
    starts = vad_starts(td, spec) if starts is None else starts
    runs = {}
    for start in starts:
        s = spec.with_init(start) if spec.fusion.init == "auto" else spec
        folder = out_dir / f"init_{start}" if len(starts) > 1 else out_dir
        cfg = {**config, "start": start} if spec.fusion.init == "auto" else config
        runs[start] = _fit(td, s, cfg, seed, folder, dims, **kw)
    if len(starts) == 1:
        return runs[starts[0]]
    # the best held-out score; ties go to the product (the first start)
    chosen = max(starts, key=lambda st: (runs[st]["val_score"], -starts.index(st)))
    r = runs[chosen]
    if kw["checkpoint"]:
        for name in ("best.ckpt", "last.ckpt"):
            src = out_dir / f"init_{chosen}" / "checkpoints" / name
            if name == "last.ckpt" and not src.is_file():
                # with restarts each one's last epoch is in init_*/restart<r>: no
                # earlier run's last.ckpt may stand beside this run's best.ckpt
                (out_dir / "checkpoints" / name).unlink(missing_ok=True)
                continue
            with atomic_write(out_dir / "checkpoints" / name) as f:
                f.write(src.read_bytes())
    return {**r, "start_mean": float(chosen == "mean"),
            **{f"val_loss_{st}": runs[st]["val_loss"] for st in starts}}


def _fit(td: TaskData, spec: MethodSpec, config: dict[str, Any], seed: int, out_dir: Path,
         dims, *, devices: int, accelerator: str, progress: bool,
         checkpoint: bool, split=None) -> dict[str, Any]:
    from ..methods import build_spec
    from ..training.vad_fit import fit_vad
    # every field of the trainer and objective configs is an argument of
    # fit_vad, by its name (or the field's ``arg``)
    settings = {f.metadata.get("arg", f.name): getattr(cfg, f.name)
                for cfg in (spec.trainer, spec.objective) for f in fields(cfg)}
    # a builder: fit_vad seeds each restart before it builds the model
    return fit_vad(lambda: build_spec(spec, dims), td.train, td.test, out_dir=out_dir,
                   **settings, seed=seed, devices=devices, accelerator=accelerator,
                   progress=progress, checkpoint=checkpoint, config=config,
                   standardizer=getattr(td.train, "standardizer", None), split=split)
