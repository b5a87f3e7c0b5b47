"""The std of one seed is not measured: a record holds NaN (``null`` in its
JSON), not 0.0, and its table cell the mean alone, not "± 0.0000"."""
import json
import math
from types import SimpleNamespace

from pyg_fusion._files import write_json
from pyg_fusion.experiments.records import format_table, make_records

TD = SimpleNamespace(dataset="toy", setting="default")


def test_one_seeds_std_is_undefined_on_disk_and_in_the_table(tmp_path):
    # before: std 0.0, as if the spread had been measured as none
    rec, = make_records(TD, "lego", {0: {"accuracy": 0.5}})
    assert math.isnan(rec["std"])
    write_json(tmp_path / "results.json", [rec])
    back, = json.loads((tmp_path / "results.json").read_text())
    assert back["std"] is None
    assert "±" not in format_table([back]) and "0.5000" in format_table([back])
    # two seeds: a measured spread, shown
    two, = make_records(TD, "lego", {0: {"accuracy": 0.5}, 1: {"accuracy": 0.7}})
    assert math.isclose(two["std"], math.sqrt(0.02)) and "0.6000 ± 0.1414" in format_table([two])


def test_the_table_reads_older_records_and_a_diverged_seeds_null():
    old = {"dataset": "toy", "setting": "default", "method": "lego", "metric": "auc",
           "mean": 0.5, "std": 0.0, "seeds": [0], "values": [0.5]}
    assert "±" not in format_table([old])  # an older record's 0.0 for one seed
    # two seeds, one NaN: std null in the JSON; before: TypeError (None's format)
    nan = {**old, "mean": None, "std": None, "seeds": [0, 1], "values": [0.5, None]}
    assert "nan" in format_table([nan]) and "±" not in format_table([nan])
