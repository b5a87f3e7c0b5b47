"""compare --resume of records written by a version before an option
existed (their config lacks its key): refused ('trained with ... unset, this
grid's is <its default>'), so a user who upgraded mid-study could not resume.
A missing setting ran as its default: the runs are reused where this grid's
is the default, refused (named) where it is another; a setting the records
hold that this version does not know is refused, named."""
from __future__ import annotations

import json

import test_compare_resume
from test_compare_resume import _compare

trainings = test_compare_resume.trainings  # the fixture: each run trained, Ctrl-C at a count


def _edit_partial(out, edit):
    path = out / "results.partial.json"
    records = json.loads(path.read_text())
    for r in records:
        edit(r["config"]["trainer"])
    path.write_text(json.dumps(records))


def test_records_of_an_older_version_resume_at_the_default(tmp_path, capsys, trainings):
    calls, stop = trainings
    out = tmp_path / "out"
    stop["at"] = 2  # feature-concat seed 0 finished, seed 1 interrupted
    assert _compare(tmp_path, out) == 130
    # a version before the option: its records lack trainer.lr
    _edit_partial(out, lambda t: t.pop("lr"))
    calls.clear()
    stop["at"] = None
    capsys.readouterr()
    assert _compare(tmp_path, out, "--resume", "--lr", "0.05") == 2
    assert calls == []
    assert capsys.readouterr().err.splitlines()[-1] == (
        "pyg-fusion compare: error: --resume: the finished runs of feature-concat were trained "
        "with config.trainer.lr unset (recorded before the option: its default 0.01), this "
        "grid's is 0.05 (--lr): resume with the settings they were trained with, or leave out "
        "--resume (or pass --no-resume) to train every run again")
    assert _compare(tmp_path, out, "--resume") == 0
    assert calls == [("feature-concat", 1), ("feature-add", 0), ("feature-add", 1)]
    assert "resume: 1 of 4 runs reused" in capsys.readouterr().err


def test_a_setting_this_version_does_not_know_is_refused(tmp_path, capsys, trainings):
    calls, stop = trainings
    out = tmp_path / "out"
    stop["at"] = 2
    assert _compare(tmp_path, out) == 130
    _edit_partial(out, lambda t: t.update(warp_drive=True))
    calls.clear()
    stop["at"] = None
    capsys.readouterr()
    assert _compare(tmp_path, out, "--resume") == 2
    assert calls == []
    assert capsys.readouterr().err.splitlines()[-1] == (
        "pyg-fusion compare: error: --resume: the finished runs of feature-concat were trained "
        "with config.trainer.warp_drive True, a setting this version of pyg_fusion does not "
        "know: resume with the version they were trained with, or leave out --resume (or pass "
        "--no-resume) to train every run again")
