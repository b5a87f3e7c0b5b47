"""Counts of the benchmark scripts that were read with a plain ``int``: a
negative one ran as if it were 0 and printed its table, with no word."""
import pytest
from benchmark_scripts import load_benchmark


@pytest.mark.parametrize("script, argv, message", [
    # the three chance scorers' rows were left out, as the help says of 0 or 1
    ("vad_chance", ["--draws", "-2"], "argument --draws: expected an integer >= 0, got -2"),
    # no torch search was timed, as for 0
    ("knn_indexes", ["2048", "clustered", "--library-only", "--torch-max", "-1"],
     "argument --torch-max: expected an integer >= 0, got -1"),
])
def test_a_negative_count_is_refused_in_one_line(script, argv, message, tmp_path, capsys):
    if script == "vad_chance":
        argv = [*argv, "--root", str(tmp_path / "data")]
    with pytest.raises(SystemExit) as err:
        load_benchmark(script).main(argv)
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and len(text.strip().splitlines()) == 1 and message in text, text
    assert not (tmp_path / "data").exists()  # before the data were made
