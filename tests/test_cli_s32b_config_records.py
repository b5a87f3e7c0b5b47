"""``--config results.json``: the records of a run are named as such, with
the part of them that reads back (a record's ``config``) and how to write it."""
import json
import subprocess
import shutil

import pytest

from pyg_fusion.cli import main


def _records(path, config=True):
    rec = {"dataset": "digits", "setting": "multi_representation", "method": "lego",
           "metric": "accuracy", "mean": 0.9, "std": 0.0, "seeds": [0], "values": [0.9]}
    if config:
        rec["config"] = {"method": "lego", "trainer": {"epochs": 3},
                         "data": {"dataset": "digits"}, "seeds": [0]}
    path.write_text(json.dumps([rec, {**rec, "metric": "params"}]))
    return path


def test_a_results_json_given_to_config_names_its_records_config(tmp_path, capsys):
    path = _records(tmp_path / "results.json")
    assert main(["compare", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "list of 2 records" in err and "'config' mapping" in err
    assert f"jq '.[0].config' {path} > run.yaml" in err
    if shutil.which("jq"):  # the advice works: the written file reads back
        run = tmp_path / "run.yaml"
        run.write_text(subprocess.run(["jq", ".[0].config", str(path)], capture_output=True,
                                      text=True, check=True).stdout)
        assert main(["compare", "--config", str(run), "--print-config"]) == 0
        assert "epochs: 3" in capsys.readouterr().out


def test_records_without_a_config_say_where_it_is(tmp_path, capsys):
    assert main(["train", "--config", str(_records(tmp_path / "r.json", False))]) == 2
    err = capsys.readouterr().err
    assert "none records a config" in err and err.count("\n") == 1


@pytest.mark.parametrize("text", ["[1, 2]", "[]", "3"])
def test_other_non_mappings_keep_their_error(tmp_path, capsys, text):
    (tmp_path / "c.yaml").write_text(text)
    assert main(["train", "--config", str(tmp_path / "c.yaml")]) == 2
    assert "expected a mapping of settings" in capsys.readouterr().err
