"""An empty output path (``--json "$OUT"`` with OUT unset) was taken as no
path: every script ran (minutes to hours) and wrote no JSON, without a word;
scaling.py --plot "" and asym_ablation.py --summarise "" ran the whole
benchmark instead of drawing or tabling a file. Each is refused before any
work in one line, exit 2, as the pyg-fusion command line's out_file does."""
import pytest
from benchmark_scripts import refused

JSON = [("cli_startup", []), ("knn_balance", ["--sizes", "4096", "--probes", "1"]),
        ("knn_chunks", ["--sizes", "300"]), ("knn_indexes", ["4096", "clustered"]),
        ("knn_probes", ["--sizes", "4096", "--probes", "1"]), ("locality_orders", ["256"]),
        ("prune_error", ["--sizes", "64"]), ("scaling", ["--sizes", "64"]),
        ("shared_support", []), ("sparse_vs_dense", ["--sizes", "64"]),
        ("step_phases", ["256"]), ("vad_chance", []),
        ("vad_heldout_check", ["results.json"])]


@pytest.mark.parametrize("script, argv", JSON, ids=[s for s, _ in JSON])
def test_an_empty_json_path_is_refused_before_the_run(script, argv, capsys):
    said = refused(capsys, script, [*argv, "--json", ""])
    assert said == (f"{script}.py: error: --json: expected a file path, got an empty path "
                    f"(see {script}.py --help)\n")


@pytest.mark.parametrize("script, argv, said", [
    ("scaling", ["--plot", "", "--from-json", "x.json"],
     "--plot: expected a file path, got an empty path"),
    ("scaling", ["--plot", "x.png", "--from-json", ""], "--from-json is an empty path"),
    ("asym_ablation", ["--summarise", ""], "--summarise is an empty path"),
])
def test_an_empty_path_of_a_mode_is_refused_not_taken_for_a_run(script, argv, said, capsys,
                                                                 tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.json").write_text('{"rows": []}')
    assert said in refused(capsys, script, argv)
