"""train --num-powers a=2 on digits (sources fac, fou, ...) trained until
the first LEGO model was built and then said 'num_powers must be an int or
give P for each of [...]', the Python name, not the flag."""
from pyg_fusion.cli import main


def test_a_per_source_value_of_other_sources_names_the_flag(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--method", "feature-concat,lego", "--num-powers",
                 "a=2", "--epochs", "1", "--no-progress", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("pyg-fusion compare: error: --num-powers: the sources of "
                          "synthetic-vad are ")
    assert err.endswith("give one value for all, or one per source (SOURCE=N,...), got a")
    assert not (out / "feature-concat").exists()  # refused before any run
