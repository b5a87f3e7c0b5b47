"""compare --resume with fewer methods or seeds than the interrupted grid
finished wrote records without those finished runs (results.partial.json
replaced by this grid's): they are refused, naming the method or seeds; a
grid of more methods or seeds resumes (the finished runs reused)."""
import pytest

from pyg_fusion.experiments._resume import check_same_settings

CONFIG = {"method": "lego", "trainer": {"lr": 0.01}}


def _records(method, seeds):
    return [{"dataset": "digits", "setting": "s", "method": method, "metric": "accuracy",
             "mean": 0.5, "std": 0.0, "seeds": seeds, "values": [0.5] * len(seeds),
             "config": {**CONFIG, "method": method, "seeds": seeds}}]


def _identity(method):
    return {"dataset": "digits", "setting": "s", "method": method,
            "config": {**CONFIG, "method": method}}


EARLIER = _records("lego", [0, 1]) + _records("graph-mean", [0])


@pytest.mark.parametrize("methods, seeds, message", [
    (["lego"], [0, 1], r"finished runs of 'graph-mean', which this grid does not train "
                       r"\(--method lego\)"),
    (["lego", "graph-mean"], [0], r"finished runs of lego with seeds \[1\], which this grid "
                                  r"does not run \(--seeds 0\)"),
])
def test_a_resumed_grid_that_drops_finished_runs_is_refused(methods, seeds, message):
    with pytest.raises(ValueError, match=rf"^--resume: the earlier records hold {message}"):
        check_same_settings(EARLIER, {m: _identity(m) for m in methods}, seeds)


def test_a_larger_grid_resumes():
    check_same_settings(EARLIER, {m: _identity(m) for m in ("lego", "graph-mean", "mtn")},
                        [0, 1, 2])
