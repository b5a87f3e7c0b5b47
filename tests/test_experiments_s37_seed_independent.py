"""A seed's run in a compare of several seeds gives what that seed gives run
alone: no state (random generators, caches, flags) carries from one seed's
run to the next in one process. Fixed seeds give identical results."""
import json

import pytest

from pyg_fusion.cli import main


def _compare(tmp_path, name, seeds, args):
    out = tmp_path / name
    assert main(["compare", *args, "--seeds", seeds, "--threads", "1", "--no-progress",
                 "--root", str(tmp_path / "data"), "--out", str(out)]) == 0
    records = json.loads((out / "results.json").read_text())
    return out, {r["metric"]: dict(zip(r["seeds"], r["values"])) for r in records}


@pytest.mark.parametrize("args", [
    # A trains from its second epoch (the operator's phase, where LEGO samples pairs)
    ["--dataset", "synthetic-vad", "--relational-shift", "4", "--num-segments", "8",
     "--method", "lego", "--epochs", "3", "--operator-warmup", "1"],
    ["--dataset", "digits", "--method", "lego", "--epochs", "3"],
])
def test_a_seed_after_others_equals_it_alone(tmp_path, capsys, args):
    out2, both = _compare(tmp_path, "both", "0,1", args)
    out1, alone = _compare(tmp_path, "alone", "1", args)
    capsys.readouterr()
    both.pop("time_per_epoch_s")
    alone.pop("time_per_epoch_s")
    assert {m: v[1] for m, v in both.items()} == {m: v[1] for m, v in alone.items()}
    for f in (out1 / "lego" / "seed1").rglob("scores.json"):
        assert f.read_bytes() == (out2 / f.relative_to(out1)).read_bytes()
