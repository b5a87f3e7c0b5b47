"""``sweep --resume``: a sweep had no --resume, so an interrupted sweep
started again trained every run, and its sweep.partial.json (the finished
runs) was replaced. It now reuses them as compare --resume does (one
mechanism, experiments._resume): only the runs not finished train, and its
records are those of an uninterrupted sweep."""
from __future__ import annotations

import json

import pytest

from pyg_fusion.cli import main


def _sweep(tmp_path, out, *extra, p="1,2"):
    return main(["sweep", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--p", p, "--q", "1", "--seeds", "0,1",
                 "--epochs", "1", "--no-progress", "--threads", "1", "--out", str(out),
                 *extra])


@pytest.fixture
def trainings(monkeypatch):
    """The (powers, seed) of every run trained; ``stop["at"]`` (a count)
    interrupts the run of that number, as Ctrl-C would."""
    import pyg_fusion.experiments.run as R
    real, calls, stop = R._run_method, [], {"at": None}

    def counted(td, method, seed, *args, **kwargs):
        calls.append((kwargs["options"]["num_powers"]["c3d"], seed))
        if len(calls) == stop["at"]:
            raise KeyboardInterrupt
        return real(td, method, seed, *args, **kwargs)

    monkeypatch.setattr(R, "_run_method", counted)
    return calls, stop


def test_a_resumed_sweep_trains_only_the_missing_runs(tmp_path, capsys, trainings):
    calls, stop = trainings
    out = tmp_path / "out"
    stop["at"] = 2  # P=1 seed 0 finished, seed 1 interrupted
    assert _sweep(tmp_path, out) == 130
    first = json.loads((out / "sweep.partial.json").read_text())
    assert {(r["P"], tuple(r["seeds"])) for r in first} == {(1, (0, ))}
    stop["at"], calls[:] = 2, []  # P=1 seed 1 finishes, P=2 seed 0 is interrupted
    capsys.readouterr()
    assert _sweep(tmp_path, out, "--resume") == 130
    assert calls == [(1, 1), (2, 0)]
    partial = json.loads((out / "sweep.partial.json").read_text())
    assert {(r["P"], tuple(r["seeds"])) for r in partial} == {(1, (0, 1))}
    stop["at"], calls[:] = None, []
    assert _sweep(tmp_path, out, "--resume") == 0
    assert calls == [(2, 0), (2, 1)]
    assert "resume: 2 of 4 runs reused from the earlier records (same config and seed), " \
           "2 trained" in capsys.readouterr().err
    resumed = json.loads((out / "sweep.json").read_text())
    assert not (out / "sweep.partial.json").exists()
    assert [(r["P"], r["seeds"]) for r in resumed if r["metric"] == "auc"] == \
        [(1, [0, 1]), (2, [0, 1])]
    # a reused run keeps the numbers it was recorded with, its time included;
    # operator_at_start is found again from its metrics
    for r in first:
        again = next(x for x in resumed if x["P"] == 1 and x["metric"] == r["metric"])
        assert again["values"][0] == r["values"][0], r["metric"]
        assert again["operator_at_start"] == r["operator_at_start"] * 2 == [False, False]
        assert list(again) == list(r)


def test_a_resume_of_another_grid_or_setting_is_refused(tmp_path, capsys, trainings):
    """A resume that would drop finished cells, or reuse runs of other
    settings, is refused before any run, as compare's."""
    calls, stop = trainings
    out = tmp_path / "out"
    stop["at"] = 3
    assert _sweep(tmp_path, out) == 130
    before = (out / "sweep.partial.json").read_text()
    calls[:], stop["at"] = [], None
    capsys.readouterr()
    assert _sweep(tmp_path, out, "--resume", p="2") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error: --resume: the earlier records hold finished runs of " \
        "P=1, Q=1, which this grid does not run (--p 2 --q 1)" in err, err
    assert _sweep(tmp_path, out, "--resume", "--lr", "0.5") == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "the finished runs of lego were trained with " \
        "config.trainer.lr" in err and "(P=1, Q=1)" in err, err
    assert calls == [] and (out / "sweep.partial.json").read_text() == before


def test_resume_without_earlier_records_trains_every_run(tmp_path, capsys, monkeypatch):
    import pyg_fusion.experiments.data as data

    def stop(*args, **kwargs):
        raise ValueError("stopped before the data")
    monkeypatch.setattr(data, "load_data", stop)
    assert _sweep(tmp_path, tmp_path / "out", "--resume") == 2
    assert "--resume: " + str(tmp_path / "out" / "sweep.partial.json") + " does not exist " \
        "(no interrupted sweep there): every run trains" in capsys.readouterr().err
