"""``plot --input`` given a file that a run writes but the KIND does not
draw (``results.json`` of train to anomaly-scores, ``sweep.json`` to
operator): named as what it is, with the kind that draws it, where each
kind's reader would otherwise say only what shape it expected."""
from __future__ import annotations

from . import CLIError
from .._files import read_json

# what each kind reads from --input (its help's words)
EXPECTS = {
    "pq-sensitivity": "the records of pyg-fusion sweep (sweep.json)",
    "anomaly-scores": "a scores file ({'scores': {video: [...]}, ...} or {'videos': [...]})",
    "operator": "an operator (A.json: one matrix, a dict of matrices or CP factors)",
    "sparse-vs-dense": "the file of benchmarks/sparse_vs_dense.py --json",
}


def _run_file(obj) -> tuple[str, str | None] | None:
    """``(what obj is, the kind that draws it or None)`` for a file a run
    writes; :obj:`None` for anything else."""
    if isinstance(obj, list) and obj and all(
            isinstance(r, dict) and "metric" in r and "values" in r for r in obj):
        if all("P" in r and "Q" in r for r in obj):
            return "the records of pyg-fusion sweep", "pq-sensitivity"
        return ("the records of pyg-fusion train, compare or evaluate (results.json; the run "
                "drew them in results.png)", None)
    if isinstance(obj, dict) and "split" in obj and isinstance(obj.get("config"), dict):
        return "the report of pyg-fusion segment or translate (metrics.json)", None
    from ..training._vad_scores import is_test_scores  # imports torch: the last question
    if is_test_scores(obj):
        return ("the test scores of a VAD run of pyg-fusion train, compare, sweep or evaluate "
                "(scores.json)", "anomaly-scores")
    return None


def refuse_run_file(path: str, kind: str) -> None:
    """Refuses ``--input path`` when it is a file of a run that ``kind``
    does not draw, and a file that holds no JSON (for all kinds alike: the
    figures' own readers named their Python argument, ``results``); any
    other file is left to the kind's own reader.

    Args:
        path (str): the ``--input`` file.
        kind (str): the figure's KIND.
    """
    try:
        obj = read_json(path, "--input")
    except OSError:
        return
    except ValueError:  # 'not valid JSON: can't decode byte 0x80' of a checkpoint
        if kind != "operator" and torch_pickle(path) is not None:
            raise CLIError(f"--input {path} is a file of torch.save (a checkpoint or tensors), "
                           f"not JSON; {kind} draws {EXPECTS[kind]}" + (
                               ": a checkpoint of pyg-fusion train on a VAD dataset is "
                               "drawn with --checkpoint" if kind == "anomaly-scores" else ""))
        raise
    found = _run_file(obj)
    if found is None or found[1] == kind:
        return
    what, drawn_by = found
    raise CLIError(f"--input {path} holds {what}; {kind} draws {EXPECTS[kind]}"
                   + (f": draw it with pyg-fusion plot {drawn_by}" if drawn_by else ""))


def check_input_file(path: str, kind: str) -> None:
    """``--input path`` as ``kind`` reads it, checked before torch loads: a
    file of ``torch.save`` (:func:`~pyg_fusion._loading.check_torch_file`)
    for the graph figures and operator's state dict (``.pt``, ``.pth``,
    ``.ckpt``), else JSON that is no run's file of another kind
    (:func:`refuse_run_file`).

    Args:
        path (str): the ``--input`` file.
        kind (str): the figure's KIND.
    """
    if kind not in EXPECTS or (kind == "operator" and path.endswith((".pt", ".pth", ".ckpt"))):
        from .._loading import check_torch_file
        check_torch_file(path, what="--input")
    else:
        refuse_run_file(path, kind)


def torch_pickle(path: str) -> bytes | None:
    """The pickle of a file of :func:`torch.save` (its zip format: an archive
    holding ``<name>/data.pkl``), read without loading it; :obj:`None` for
    any other file."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            return b"".join(archive.read(n) for n in pickles) if pickles else None
    except (OSError, zipfile.BadZipFile):
        return None
