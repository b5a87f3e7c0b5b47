"""A command interrupted before any of its runs finished said 'what finished
is under OUT', though OUT held only the unfinished run's stage (or an earlier
run's files, as they were): it now says that nothing had finished, and
points to OUT only once a file was published there."""
import os

import pytest

from pyg_fusion.cli import main


def _grid(publish):
    def run_grid(data, methods, seeds, *, out, **kwargs):
        stage = out / "lego" / "seed0.partial"
        stage.mkdir(parents=True)
        (stage / "results.json").write_text("{}")  # a run's unfinished files
        (out / ".lock-like").write_text("")
        if publish:
            (out / "results.partial.json").write_text("[]")
        raise KeyboardInterrupt
    return run_grid


@pytest.mark.parametrize("publish", [False, True])
@pytest.mark.parametrize("earlier", [False, True])
def test_an_interrupted_run_says_whether_anything_finished(tmp_path, capsys, monkeypatch,
                                                           publish, earlier):
    import pyg_fusion.experiments.run as run
    monkeypatch.setattr(run, "run_grid", _grid(publish))
    out = tmp_path / "out"
    if earlier:  # an earlier run's file, older than this command
        (out / "graph-mean" / "seed0").mkdir(parents=True)
        (out / "graph-mean" / "seed0" / "results.json").write_text("{}")
        os.utime(out / "graph-mean" / "seed0" / "results.json", (1e9, 1e9))
    assert main(["compare", "--dataset", "digits", "--method", "lego", "--seeds", "0",
                 "--no-progress", "--out", str(out), "--threads", "1"]) == 130
    said = (f"what finished is under {out}, its runs in results.partial.json: rerun with "
            "--resume to reuse them" if publish
            else f"nothing had finished, {out} holds no result of this run")
    assert capsys.readouterr().err == f"pyg-fusion compare: interrupted; {said}\n"
