"""The results.json of the two image ablations is strict JSON, as every
other benchmark's (pyg_fusion._files.write_json): a NaN or infinite score
is null, not the bare words NaN / Infinity that browsers, Node and jq refuse."""
import json
import math
from concurrent.futures import ThreadPoolExecutor

import pytest
from benchmark_scripts import load_benchmark


def _strict(path):
    def refuse(word):
        raise AssertionError(f"{path}: {word} is not JSON")
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_constant=refuse)


def test_asym_ablation_writes_a_diverged_seed_as_null_and_reads_it_back(tmp_path, capsys):
    def run(seed, miou):
        return {"variant": "rgb", "seed": seed, "final": "out", "parameters": 100,
                "seconds": 1.0, "scores": {"out": {"miou": miou, "pixel_acc": 0.9,
                                                   "mean_acc": 0.8}}}
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"runs": [run(0, 0.5), run(1, float("nan"))]}))
    bench = load_benchmark("asym_ablation")
    assert bench.main(["--summarise", str(path)]) == 0
    data = _strict(path)  # before: "miou": NaN, "miou_mean": NaN
    assert data["runs"][1]["scores"]["out"]["miou"] is None
    assert data["rows"][0]["miou_mean"] is None and data["rows"][0]["miou_per_seed"][0] == 0.5
    # the file it wrote is read again: null is a NaN score, the table as before
    first = capsys.readouterr().out
    assert bench.main(["--summarise", str(path)]) == 0
    assert capsys.readouterr().out == first and "nan ± nan" in first


@pytest.mark.filterwarnings("error::RuntimeWarning")  # the inf bar's, in matplotlib
def test_translation_ablation_writes_an_infinite_psnr_as_null_and_draws_its_figure(tmp_path, monkeypatch, capsys):
    bench = load_benchmark("translation_ablation")

    def run_one(args, modalities, seed):  # a generator that copied its target: PSNR inf
        outs = ["ensemble", *modalities] if len(modalities) > 1 else ["ensemble"]
        return {"modalities": modalities, "seed": seed, "generator_parameters": 10,
                "metrics": {o: {"l1": 0.0, "psnr": math.inf, "ssim": 1.0} for o in outs}}
    monkeypatch.setattr(bench, "run_one", run_one)
    monkeypatch.setattr(bench, "ProcessPoolExecutor", ThreadPoolExecutor)
    assert bench.main(["--out", str(tmp_path / "out"), "--data-root", str(tmp_path / "data"),
                       "--log-dir", str(tmp_path / "logs"), "--seeds", "0",
                       "--num-train", "2", "--num-test", "2", "--image-size", "8",
                       "--num-downs", "3"]) == 0
    data = _strict(tmp_path / "out" / "results.json")  # before: "psnr": Infinity
    assert data["summary"]["shade+depth"]["psnr"]["mean"] is None
    assert data["summary"]["shade+depth"]["l1"]["mean"] == 0.0
    # before: the figure's set_ylim raised on the inf, after every run had trained
    assert (tmp_path / "out" / "ablation.png").stat().st_size > 0
    assert "| shade+depth |" in capsys.readouterr().out
