"""``compare --resume``: an interrupted compare, started again with --resume,
reuses the runs of ``results.partial.json`` recorded with this run's config and
trains only the others; its results are those of an uninterrupted compare."""
from __future__ import annotations

import json

import pytest

METHODS = "feature-concat,feature-add"


def _compare(tmp_path, out, *extra, method=METHODS, seeds="0,1"):
    from pyg_fusion.cli import main
    return main(["compare", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--method", method, "--seeds", seeds,
                 "--epochs", "1", "--no-progress", "--out", str(out), *extra])


@pytest.fixture
def trainings(monkeypatch):
    """The (method, seed) of every run trained; ``stop_at`` (a count) interrupts
    the run of that number, as Ctrl-C would."""
    import pyg_fusion.experiments.run as R
    real, calls, stop = R._run_method, [], {"at": None}

    def counted(td, method, seed, *args, **kwargs):
        calls.append((method, seed))
        if len(calls) == stop["at"]:
            raise KeyboardInterrupt
        return real(td, method, seed, *args, **kwargs)

    monkeypatch.setattr(R, "_run_method", counted)
    return calls, stop


def _without_times(records):
    return [r for r in records if r["metric"] != "time_per_epoch_s"]


def test_a_resumed_compare_trains_only_the_missing_runs(tmp_path, capsys, trainings):
    """Before --resume, an interrupted compare started again trained every run."""
    calls, stop = trainings
    assert _compare(tmp_path, tmp_path / "whole") == 0
    whole = json.loads((tmp_path / "whole" / "results.json").read_text())
    out = tmp_path / "out"
    calls.clear()
    stop["at"] = 2  # feature-concat seed 0 finished, seed 1 interrupted
    assert _compare(tmp_path, out) == 130
    partial = json.loads((out / "results.partial.json").read_text())
    assert {(r["method"], tuple(r["seeds"])) for r in partial} == {("feature-concat", (0,))}
    calls.clear()
    stop["at"] = None
    capsys.readouterr()
    assert _compare(tmp_path, out, "--resume") == 0
    assert calls == [("feature-concat", 1), ("feature-add", 0), ("feature-add", 1)]
    assert "resume: 1 of 4 runs reused from the earlier records (same config and seed), " \
           "3 to train" in capsys.readouterr().err
    resumed = json.loads((out / "results.json").read_text())
    # the same records in the same order; time_per_epoch_s is a measurement
    assert [(r["method"], r["metric"], r["seeds"]) for r in resumed] == \
           [(r["method"], r["metric"], r["seeds"]) for r in whole]
    assert _without_times(resumed) == _without_times(whole)
    # the reused run keeps the numbers it was recorded with, its time included
    time = next(r for r in partial if r["metric"] == "time_per_epoch_s")["values"][0]
    assert next(r for r in resumed if r["method"] == "feature-concat"
                and r["metric"] == "time_per_epoch_s")["values"][0] == time
    assert not (out / "results.partial.json").exists()
    assert (out / "results.txt").is_file() and (out / "results.png").is_file()


def test_a_changed_flag_is_refused(tmp_path, capsys, trainings):
    """A run recorded with another config (here --lr) was trained again,
    and the finished runs replaced, without a word but 'resume: 0 of 4 runs
    reused': --resume with other settings is refused before any training,
    naming the setting; without --resume every run trains with the new one.
    A resumed compare never mixes records of two configs."""
    calls, stop = trainings
    out = tmp_path / "out"
    stop["at"] = 3  # feature-concat finished (both seeds), feature-add seed 0 interrupted
    assert _compare(tmp_path, out) == 130
    calls.clear()
    stop["at"] = None
    capsys.readouterr()
    partial = (out / "results.partial.json").read_text()
    assert _compare(tmp_path, out, "--resume", "--lr", "0.05") == 2
    assert calls == []
    assert capsys.readouterr().err.splitlines()[-1] == (
        "pyg-fusion compare: error: --resume: the finished runs of feature-concat were trained "
        "with config.trainer.lr 0.01, this grid's is 0.05 (--lr): resume with the settings they "
        "were trained with, or leave out --resume (or pass --no-resume) to train every run "
        "again")
    assert (out / "results.partial.json").read_text() == partial
    assert _compare(tmp_path, out, "--lr", "0.05") == 0
    assert len(calls) == 4
    records = json.loads((out / "results.json").read_text())
    assert {r["config"]["trainer"]["lr"] for r in records} == {0.05}


def test_resume_without_or_with_a_bad_partial_file(tmp_path, capsys, trainings):
    """No results.partial.json: a notice, every run trains (a job script may
    always pass --resume). A file that is not compare's records: one line, exit 2."""
    calls, _ = trainings
    out = tmp_path / "out"
    assert _compare(tmp_path, out, "--resume", method="feature-concat", seeds="0") == 0
    assert calls == [("feature-concat", 0)]
    err = capsys.readouterr().err
    assert "notice: --resume:" in err and "does not exist" in err and "every run trains" in err
    for text in ("{not json", json.dumps([{"metric": "auc", "seeds": [0], "values": []}])):
        (out / "results.partial.json").write_text(text)
        assert _compare(tmp_path, out, "--resume") == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 2 and err[-1].startswith("pyg-fusion compare: error: --resume: "), err
        assert "results.partial.json" in err[-1] and "remove it" in err[-1]


def test_a_configs_resume_is_named_and_undone_by_no_resume(tmp_path, capsys, trainings):
    """compare --config c.yaml with 'resume: true' (a config printed by
    `compare --resume --print-config`, or written for a job script): the
    refusal of other settings said 'leave out --resume', which the user never
    typed, and no flag after the file could undo it (--resume had no
    --no-resume), though the --config help says flags after it override it."""
    import yaml
    calls, stop = trainings
    out = tmp_path / "out"
    stop["at"] = 3  # an interrupted compare: results.partial.json
    assert _compare(tmp_path, out) == 130
    calls.clear()
    stop["at"] = None
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"resume": True}))
    capsys.readouterr()
    assert _compare(tmp_path, out, "--config", str(tmp_path / "c.yaml"), "--lr", "0.05") == 2
    assert calls == []
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.endswith("or leave out --resume (or pass --no-resume) to train every run again "
                        f"(--config {tmp_path / 'c.yaml'}: resume: true)"), err
    assert _compare(tmp_path, out, "--config", str(tmp_path / "c.yaml"), "--no-resume",
                    "--lr", "0.05") == 0
    assert len(calls) == 4
    records = json.loads((out / "results.json").read_text())
    assert {r["config"]["trainer"]["lr"] for r in records} == {0.05}
