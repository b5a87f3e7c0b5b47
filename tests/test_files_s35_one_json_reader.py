"""One JSON reader (pyg_fusion._files.read_json) for the library's figures,
``pyg-fusion plot --input`` and the benchmarks' inputs, with one error
contract: the error names the argument or flag, the file and what is wrong,
and a command line says it in one line with exit code 2. plot's said
"'x.json' is not valid JSON" (no flag) and the benchmarks' "x.json: not JSON
(...)", "x.json: No such file or directory" (no file for --summarise's)."""
import pytest
from benchmark_scripts import load_benchmark

from pyg_fusion import _files
from pyg_fusion.cli import main


def _bad(tmp_path, what):
    path = tmp_path / "x.json"
    if what == "not json":
        path.write_text("{oops")
    elif what == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize("what, error, said", [
    ("missing", FileNotFoundError, "no such file: '{path}'"),
    ("folder", IsADirectoryError, "'{path}' is a folder; expected the path of a JSON file"),
    ("not json", ValueError, "'{path}' is not valid JSON: "),
])
def test_the_one_reader_names_the_flag_the_file_and_what_is_wrong(tmp_path, what, error, said):
    path = _bad(tmp_path, what)
    with pytest.raises(error) as exc:
        _files.read_json(path, "--input")
    assert str(exc.value).startswith("--input: " + said.format(path=path))
    with pytest.raises(error) as exc:  # no name: the file alone
        _files.read_json(str(path))
    assert str(exc.value).startswith(said.format(path=path))


def test_an_empty_path_is_said_to_be_empty():
    with pytest.raises(ValueError, match=r"^--input is an empty path \(''\): expected the path "
                                         r"of a JSON file$"):
        _files.read_json("", "--input")
    with pytest.raises(ValueError, match=r"^got an empty path \(' '\)"):
        _files.read_json(" ")


@pytest.mark.parametrize("kind", ["pq-sensitivity", "anomaly-scores", "operator",
                                  "sparse-vs-dense"])
def test_plot_says_which_flag_holds_no_json_in_one_line(tmp_path, capsys, kind):
    path = _bad(tmp_path, "not json")
    assert main(["plot", kind, "--input", str(path), "--out", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pyg-fusion plot: error: --input: '{path}' is not valid JSON: "), err
    assert err.count("\n") == 1


def test_a_benchmarks_input_is_named_by_its_flag_and_file(tmp_path, capsys):
    path = _bad(tmp_path, "not json")
    with pytest.raises(SystemExit) as exit_:
        load_benchmark("asym_ablation").main(["--summarise", str(path)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(f"asym_ablation.py: error: --summarise: '{path}' is not valid "
                          f"JSON: "), err


def test_scaling_plot_names_a_folder_as_a_folder(tmp_path, capsys):
    # a folder given as --from-json was "no such file"
    with pytest.raises(SystemExit) as exit_:
        load_benchmark("scaling").main(["--plot", str(tmp_path / "s.png"),
                                        "--from-json", str(tmp_path)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"error: --from-json: '{tmp_path}' is a folder; expected the path of a JSON " \
           f"file" in err, err


def test_scaling_json_is_an_output_never_plots_input(tmp_path, capsys):
    # --json is where a run writes; with --plot it was the file drawn when
    # --from-json was not given, and ignored when it was
    source = tmp_path / "scaling.json"
    source.write_text('{"rows": []}')
    with pytest.raises(SystemExit) as exit_:
        load_benchmark("scaling").main(["--plot", str(tmp_path / "p.png"), "--from-json",
                                        str(source), "--json", str(tmp_path / "other.json")])
    assert exit_.value.code == 2
    assert "error: --json: a flag of a run, not read with --plot" in capsys.readouterr().err
