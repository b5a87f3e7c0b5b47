"""Flags of the benchmark scripts checked when parsed, naming the flag, and
one count of cores per run line (session 33b)."""
import os

import pytest
from benchmark_scripts import load_benchmark, refused as _refused


@pytest.mark.parametrize("flag,value,expected", [
    ("--seed", "-1", "an integer >= 0 and < 2**32"),
    ("--seed", "4294967296", "an integer >= 0 and < 2**32"),
    ("--k", "0", "a positive integer"),
])
def test_knn_indexes_checks_k_and_seed_when_parsed(flag, value, expected, tmp_path, capsys):
    # --seed -1 ran (a plain int); --k 0 was refused after the parse by hand
    text = _refused(capsys, "knn_indexes", ["64", "gaussian", flag, value,
                                            "--json", str(tmp_path / "out" / "k.json")])
    assert text.startswith(f"knn_indexes.py: error: argument {flag}: expected {expected}, ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value,said", [
    ("bogus", "unknown method(s) 'bogus'"),
    ("graph-mean,graph-mean", "graph-mean named more than once"),
    ("graph-mean,", "expected comma-separated methods"),
])
def test_vad_chance_checks_methods_before_the_data(value, said, tmp_path, capsys):
    # an unknown method was refused only after the data and the chance draws,
    # naming no flag
    text = _refused(capsys, "vad_chance", ["--methods", value, "--root", str(tmp_path / "data")])
    assert text.startswith(f"vad_chance.py: error: argument --methods: {said}")
    assert not (tmp_path / "data").exists()


def test_vad_chance_checks_source_methods_against_the_data_sources():
    mod = load_benchmark("vad_chance")
    assert mod.method_list("graph-mean,single-i3d") == ["graph-mean", "single-i3d"]
    mod._check_sourced(["graph-mean", "single-i3d"], ["i3d", "c3d"])
    with pytest.raises(ValueError, match=r"^--methods: unknown method\(s\) 'graph-x' for the "
                                         r"sources i3d, c3d"):
        mod._check_sourced(["graph-mean", "graph-x"], ["i3d", "c3d"])


def test_cli_startup_says_the_cores_once(monkeypatch, capsys):
    # the load line said os.cpu_count() CPUs beside the machine line's usable cores
    mod = load_benchmark("cli_startup")
    monkeypatch.setattr(mod, "COMMANDS", [""])
    monkeypatch.setattr(mod, "_time", lambda argv, repeats: (1.0, [1.0]))
    monkeypatch.setattr(os, "cpu_count", lambda: 999)
    assert mod.main(["--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "CPUs" not in out
    assert [line for line in out.splitlines() if "999" in line] == [
        line for line in out.splitlines() if line.startswith("machine: ")]


@pytest.mark.parametrize("value,bad", [("depth,bogus", "'bogus'"), ("rgb,depth", "'rgb'")])
def test_translation_ablation_checks_modalities_before_any_folder(value, bad, tmp_path, capsys):
    # a modality the scenes lack was refused after --out and --log-dir were
    # made, naming no flag
    text = _refused(capsys, "translation_ablation", [
        "--modalities", value, "--seeds", "0", "--out", str(tmp_path / "out"),
        "--log-dir", str(tmp_path / "logs"), "--data-root", str(tmp_path / "data")])
    assert text.startswith(f"translation_ablation.py: error: --modalities: unknown {bad}; "
                           "the scenes' inputs are depth, normal, shade, edge")
    assert not any(tmp_path.iterdir())


def test_asym_ablation_names_the_variants_flag(tmp_path, capsys):
    text = _refused(capsys, "asym_ablation", ["--variants", "shift,bogus",
                                              "--out", str(tmp_path / "out")])
    assert text.startswith("asym_ablation.py: error: --variants: unknown 'bogus'; choose from rgb, ")
    assert not (tmp_path / "out").exists()


def test_knn_indexes_refuses_features_beside_digits(tmp_path, capsys):
    # 'digits gaussian' measured the digits' own views, the features said ignored
    text = _refused(capsys, "knn_indexes", ["digits", "gaussian", "--root", str(tmp_path / "d")])
    assert text.startswith("knn_indexes.py: error: features: digits has its own features, "
                           "got 'gaussian'")
    assert not (tmp_path / "d").exists()
