"""benchmarks/scaling.py's --from-json: read by --plot, never ignored."""
import pytest

from benchmark_scripts import load_benchmark


def test_from_json_without_plot_is_refused_before_any_run(tmp_path, capsys):
    # before: --from-json was ignored without --plot and the default run
    # (four sizes, two kinds of features, minutes) started
    source = tmp_path / "scaling.json"
    source.write_text('{"rows": []}')
    with pytest.raises(SystemExit) as err:
        load_benchmark("scaling").main(["--from-json", str(source)])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and len(text.strip().splitlines()) == 1
    assert f"--from-json {source}: read by --plot only" in text


@pytest.mark.parametrize("flag", [["--sizes", "1024"], ["--features", "gaussian"],
                                  ["--busy"], ["--fusion-init", "random"]])
def test_a_run_flag_beside_plot_is_refused(flag, tmp_path, capsys):
    # before: --plot drew every row of the JSON and said nothing of --sizes 1024
    source = tmp_path / "scaling.json"
    source.write_text('{"rows": []}')
    with pytest.raises(SystemExit) as err:
        load_benchmark("scaling").main(["--plot", str(tmp_path / "out" / "p.png"),
                                        "--from-json", str(source), *flag])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and len(text.strip().splitlines()) == 1
    assert f"scaling.py: error: {flag[0]}: a flag of a run, not read with --plot" in text
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag,stage", [(["--exact-max", "0"], "knn_exact"),
                                        (["--scipy-max", "100"], "scipy"),
                                        (["--fusion-init", "random"], "step")])
def test_a_stage_option_without_its_stage_is_refused(flag, stage, tmp_path, capsys):
    # before: --stages powers --fusion-init random measured the powers alone and
    # said nothing of the option, which only the step stage reads
    with pytest.raises(SystemExit) as err:
        load_benchmark("scaling").main(["--sizes", "64", "--stages", "powers", "copy", *flag,
                                        "--json", str(tmp_path / "out" / "s.json")])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and len(text.strip().splitlines()) == 1
    assert (f"scaling.py: error: {flag[0]}: an option of the {stage} stage, which --stages "
            f"powers copy has not") in text
    assert not (tmp_path / "out").exists()
