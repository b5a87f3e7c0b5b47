"""Flags of the benchmark scripts refused before any work when the run
would not read them, and one seed's spread recorded as none (session 34)."""
import argparse
import json

import pytest
from benchmark_scripts import load_benchmark, refused as _refused


def test_vad_table2_refuses_an_unknown_method_before_its_out_folder(tmp_path, capsys):
    # before: refused by run_grid after --out was made, naming no flag
    text = _refused(capsys, "vad_table2", ["--method", "lego,bogus", "--threads", "1",
                                           "--out", str(tmp_path / "out")])
    assert text.startswith("vad_table2.py: error: --method: unknown method 'bogus' for task "
                           "'vad'; known: lego, ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv,flag,mode", [
    (["digits", "--seed", "0"], "--seed", "N clustered or N gaussian"),
    (["digits", "--torch-max", "100"], "--torch-max", "N clustered or N gaussian"),
    (["digits", "--library-only"], "--library-only", "N clustered or N gaussian"),
    (["64", "gaussian", "--root", "elsewhere"], "--root", "digits"),
    (["64", "gaussian", "--library-only", "--torch-max", "100"], "--torch-max", None),
])
def test_knn_indexes_refuses_a_flag_its_mode_does_not_read(argv, flag, mode, tmp_path,
                                                           capsys):
    # before: digits ran its views with any --seed, --torch-max or --library-only
    # (and N gaussian with any --root), and its record said nothing of them
    text = _refused(capsys, "knn_indexes", argv + ["--json", str(tmp_path / "out" / "k.json")])
    said = (f"not read with n = {argv[0]} (it is a flag of {mode})" if mode else
            "not read with --library-only (which skips the torch search)")
    assert text.startswith(f"knn_indexes.py: error: {flag}: {said}")
    assert not (tmp_path / "out").exists()


def test_given_tells_a_flag_given_its_default_from_one_not_given():
    cli = load_benchmark("_cli")
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", action="store_true")
    assert cli.given(p, ["--seed", "0", "--only"], "seed", "only") == ["seed", "only"]
    assert cli.given(p, [], "seed", "only") == []
    # the parser's defaults are kept (what --help says and a run records)
    assert (p.get_default("seed"), p.get_default("only")) == (0, False)


def _run(seed, miou):
    return {"variant": "rgb", "seed": seed, "final": "out", "parameters": 100,
            "seconds": 1.0, "scores": {"out": {"miou": miou, "pixel_acc": 0.9,
                                               "mean_acc": 0.8}}}


def test_asym_ablation_records_no_spread_for_one_seed(tmp_path, capsys):
    # before: "miou_std": 0.0, a measured spread of nothing
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"runs": [_run(0, 0.5)]}))
    bench = load_benchmark("asym_ablation")
    assert bench.main(["--summarise", str(path)]) == 0
    row, = json.loads(path.read_text())["rows"]
    assert row["miou_std"] is None and row["miou_mean"] == 0.5
    assert "| RGB only | 50.0 | " in capsys.readouterr().out
    assert (tmp_path / "miou.png").stat().st_size > 0
    two, = bench.summarise([_run(0, 0.5), _run(1, 0.7)])
    assert two["miou_std"] == pytest.approx(0.1414213562373095)


def test_translation_ablation_records_no_spread_for_one_seed():
    bench = load_benchmark("translation_ablation")
    run = {"modalities": ["shade"], "seed": 0, "generator_parameters": 10,
           "metrics": {"ensemble": {"l1": 0.1, "psnr": 20.0, "ssim": 0.7}}}
    one = bench.summarise([run])
    assert {k: one["shade"][k]["std"] for k in ("l1", "psnr", "ssim")} == dict.fromkeys(
        ("l1", "psnr", "ssim"))
    two = bench.summarise([run, {**run, "seed": 1}])
    assert two["shade"]["psnr"]["std"] == 0.0


@pytest.mark.parametrize("value,said", [("1,1", "expected 4 positive ints, got '1,1'"),
                                        ("1,x,1,1", "expected comma-separated ints, got "
                                                    "'1,x,1,1'")])
def test_asym_ablation_reads_layers_as_the_segment_command_does(value, said, tmp_path, capsys):
    # it had a parser of its own for the ResNet's blocks per stage, beside the CLI's
    text = _refused(capsys, "asym_ablation", ["--layers", value,
                                              "--out", str(tmp_path / "out")])
    assert text.startswith(f"asym_ablation.py: error: argument --layers: {said}")
    assert load_benchmark("asym_ablation").build_parser().parse_args(
        ["--layers", "2,1,1,3"]).layers == (2, 1, 1, 3)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag", [["--variants", "rgb"], ["--out", "elsewhere"],
                                  ["--seeds", "0"], ["--epochs", "30"]])
def test_asym_ablation_summarise_refuses_a_run_flag(flag, tmp_path, capsys):
    # before: --summarise tabled every run of the file and said nothing of the flag
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"runs": [_run(0, 0.5)]}))
    text = _refused(capsys, "asym_ablation", ["--summarise", str(path), *flag])
    assert text.startswith(f"asym_ablation.py: error: {flag[0]}: a flag of a run, not read "
                           f"with --summarise")
    assert not (tmp_path / "results.md").exists()


def test_sparse_vs_dense_refuses_batch32_without_n_32(tmp_path, capsys):
    # before: --batch32 64 --sizes 1024 ran N = 1024 and said nothing of --batch32
    text = _refused(capsys, "sparse_vs_dense", ["--sizes", "1024", "64", "--batch32", "64",
                                                "--json", str(tmp_path / "out" / "s.json")])
    assert text.startswith("sparse_vs_dense.py: error: --batch32: the batch of the N = 32 "
                           "run, which --sizes 1024 64 has not")
    assert not (tmp_path / "out").exists()
