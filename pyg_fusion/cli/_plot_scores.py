"""The scores ``pyg-fusion plot anomaly-scores`` draws: a scores JSON
(``--input``; the ``scores.json`` of train and evaluate) or a VAD checkpoint's
test pass (``--checkpoint``), which writes and reads that same file."""
from __future__ import annotations

from pathlib import Path

from . import CLIError
from .._files import read_json
from ._plot_inputs import _check_graph_dataset


def _check_numbers(path: str, name: str, value) -> None:
    """Refuses what a scores file holds where its numbers go (a string among
    a video's scores), naming the file and the entry: the figure would raise a
    TypeError, which the CLI keeps for its own bugs. ``value`` is a list of
    numbers, or a dict of them (per video, or per method of videos)."""
    import numbers
    if isinstance(value, dict):
        for k, v in value.items():
            _check_numbers(path, f"{name}[{k!r}]", v)
        return
    bad = [value] if not isinstance(value, list) else [
        v for v in value if not isinstance(v, numbers.Real)]
    if bad:
        raise CLIError(f"{path}: {name} must be a list of numbers, got {bad[0]!r}")


def load_scores(path: str):
    """``(scores, ground_truth or None, frames_per_snippet or None)`` from a
    scores JSON (see ``pyg-fusion plot --help``), each video's numbers checked,
    the videos in the order drawn (:func:`_drawing_order`). A file whose
    videos each record their frames per snippet (``{"videos": [...]}``, the
    scores.json of videos of several rates, which has no common one) gives
    ``{video: frames_per_snippet}`` where they differ."""
    scores, gt, fps = _scores_file(path)
    _check_numbers(path, "scores", scores)
    if gt is not None:
        _check_numbers(path, "ground_truth", gt)
    for name, rate in (fps.items() if isinstance(fps, dict) else [(None, fps)]):
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int) or
                                 rate < 1):
            where = "frames_per_snippet" if name is None else \
                f"the frames_per_snippet of video {name!r}"
            raise CLIError(f"{path}: {where} must be a positive int, got {rate!r}")
    return scores, gt, fps


def _scores_file(path: str):
    obj = read_json(path, "--input")
    if isinstance(obj, dict) and isinstance(obj.get("videos"), list):
        named: dict = {}
        for i, v in enumerate(obj["videos"]):
            if not isinstance(v, dict) or "scores" not in v:
                raise CLIError(f"{path}: videos[{i}] must be an object with 'scores'")
            name = str(v.get("name", f"video {i}"))
            if name in named:  # the later one was drawn in the earlier one's place
                raise CLIError(f"{path}: videos[{i}] is named {name!r}, as "
                               f"videos[{named[name][0]}] is: each video needs a name of "
                               f"its own")
            named[name] = (i, v)
        scores, gt, rates = {}, {}, {}
        for name, v in _drawing_order({k: v for k, (_, v) in named.items()}):
            scores[name] = v["scores"]
            if v.get("gt") is not None:
                gt[name] = v["gt"]
            # a video's own rate: write_test_scores records one in the head only
            # where all videos share it
            rates[name] = v.get("frames_per_snippet", obj.get("frames_per_snippet"))
        distinct = {repr(r) for r in rates.values()}
        return scores, (gt or None), (
            next(iter(rates.values()), None) if len(distinct) <= 1 else rates)
    if isinstance(obj, dict) and isinstance(obj.get("scores"), dict):
        return obj["scores"], obj.get("ground_truth"), obj.get("frames_per_snippet")
    raise CLIError(f"{path}: expected {{'scores': {{video: [...]}}, 'ground_truth': ...}} "
                   f"or {{'videos': [...]}}")


def _drawing_order(videos: dict) -> list:
    """``(name, video)`` of a scores file's videos in the order drawn: where
    each has its video label (the scores.json of train and evaluate), abnormal
    and normal alternate, so that the first ones drawn (``--max-videos``) show
    both (a test list's abnormal videos come first); else as listed."""
    items = list(videos.items())
    if not all(v.get("label") in (0, 1) for _, v in items):
        return items
    abnormal = [item for item in items if item[1]["label"] == 1]
    normal = [item for item in items if item[1]["label"] != 1]
    return [item for pair in zip(abnormal, normal) for item in pair] + \
        abnormal[len(normal):] + normal[len(abnormal):]


def scores_from_checkpoint(path: str, root: str | None, force_reload: bool = False):
    """``(scores, ground truth, frames_per_snippet)`` of the test videos of a
    checkpoint of ``pyg-fusion train`` on a VAD dataset, as its test ranks
    them: ``pyg-fusion evaluate``'s pass
    (:func:`~pyg_fusion.experiments.checkpoints.evaluate_checkpoint`), read
    back (:func:`load_scores`) from the ``scores.json`` it writes, so that the
    figure draws what that file holds (the crops of a video as one, at the
    mean of their scores)."""
    import tempfile
    from ..experiments.checkpoints import (FROM_CHECKPOINT, evaluate_checkpoint,
                                           load_train_checkpoint)
    from ..experiments.data import DataConfig, task_of
    _, _, cfg = load_train_checkpoint(path, figure=True)
    _check_graph_dataset(cfg)
    if task_of(cfg["dataset"]) != "vad":
        raise CLIError(f"--checkpoint: anomaly scores need a checkpoint of a VAD dataset; "
                       f"this one is for {cfg['dataset']!r}")
    # root None: the folder the training run recorded, as evaluate reads it
    data = DataConfig(**{**FROM_CHECKPOINT, "dataset": cfg["dataset"], "root": root})
    with tempfile.TemporaryDirectory(prefix="pyg-fusion-plot-") as tmp:
        scores = Path(tmp) / "scores.json"
        evaluate_checkpoint(path, data, tmp, progress=False, force_reload=force_reload,
                            scores=scores, command="plot")
        return load_scores(str(scores))
