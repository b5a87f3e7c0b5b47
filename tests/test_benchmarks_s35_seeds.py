"""--seeds of knn_balance / knn_probes took space-separated seeds only
('--seeds 0,1' was refused) and the ablations and vad_chance comma-separated
ones only ('--seeds 0 1' was refused), as pyg-fusion: one format for every
script, the recorded space-separated commands still read."""
import argparse

import pytest
from benchmark_scripts import load_benchmark

SCRIPTS = ["knn_balance", "knn_probes", "asym_ablation", "translation_ablation", "vad_chance"]


class _Parsed(Exception):
    pass


def _seeds(monkeypatch, script, argv):
    real = argparse.ArgumentParser.parse_args

    def stop(self, *args, **kwargs):  # the run itself is not this test's
        raise _Parsed(real(self, *args, **kwargs))
    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", stop)
    with pytest.raises(_Parsed) as parsed:
        load_benchmark(script).main(argv)
    return parsed.value.args[0].seeds


@pytest.mark.parametrize("script", SCRIPTS)
def test_seeds_read_one_format_in_every_script(script, monkeypatch, capsys):
    for argv in (["--seeds", "100", "101", "102"], ["--seeds", "100,101,102"],
                 ["--seeds", "100..102"], ["--seeds", "100", "101..102"]):
        assert _seeds(monkeypatch, script, argv) == [100, 101, 102], argv
    with pytest.raises(SystemExit) as done:
        _seeds(monkeypatch, script, ["--seeds", "1", "0..2"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "argument --seeds: 1,0,1,2 repeats [1]" in err
    monkeypatch.undo()
    with pytest.raises(SystemExit):
        load_benchmark(script).main(["--help"])
    assert "'0,1,2', '0..2' or '0 1 2' (default: " in " ".join(capsys.readouterr().out.split())


def test_pyg_fusion_seeds_read_the_same_forms(tmp_path, capsys):
    """pyg-fusion compare --seeds 0 1 2 said 'unrecognized arguments: 1 2'."""
    import yaml

    from pyg_fusion.cli import main
    for argv in (["--seeds", "0", "1", "2"], ["--seeds", "0,1,2"], ["--seeds", "0", "1..2"]):
        assert main(["compare", *argv, "--print-config"]) == 0
        assert yaml.safe_load(capsys.readouterr().out)["seeds"] == [0, 1, 2]
    with pytest.raises(SystemExit):
        main(["compare", "--seeds", "1", "0..2", "--print-config"])
    assert "argument --seeds: 1,0,1,2 repeats [1]" in capsys.readouterr().err
    (tmp_path / "c.yaml").write_text("seeds: [1, 1]\n")
    assert main(["compare", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 2
    assert f"--config {tmp_path / 'c.yaml'}: seeds: 1,1 repeats [1]" in capsys.readouterr().err
