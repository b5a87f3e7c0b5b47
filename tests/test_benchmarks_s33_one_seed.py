"""The tables of asym_ablation.py and translation_ablation.py printed a
spread for one seed ('8.8 ± 0.0', '0.0701 +- 0.0000'), a spread that one run
does not have (results_table.py and vad_table2.py print the mean alone)."""
import json
import os

from benchmark_scripts import ROOT, load_benchmark


def test_asym_ablation_prints_one_seeds_miou_alone():
    bench = load_benchmark("asym_ablation")
    run = {"variant": "rgb", "seed": 0, "final": "out", "parameters": 100, "seconds": 1.0,
           "scores": {"out": {"miou": 0.088, "pixel_acc": 0.488, "mean_acc": 0.114}}}
    assert bench.table(bench.summarise([run])).splitlines()[2] == (
        "| RGB only | 8.8 | - | - | 48.8 | 11.4 | 100 | - |")
    two = bench.table(bench.summarise([run, {**run, "seed": 1}])).splitlines()[2]
    assert two.startswith("| RGB only | 8.8 ± 0.0 |")


def test_translation_ablation_prints_one_seeds_mean_alone_and_three_as_recorded():
    bench = load_benchmark("translation_ablation")
    folder = os.path.join(ROOT, "benchmarks", "results", "translation")
    with open(os.path.join(folder, "results.json"), encoding="utf-8") as f:
        runs = json.load(f)["runs"]
    one = bench.markdown(bench.summarise([r for r in runs if r["seed"] == 0]), [0])
    assert one.splitlines()[2] == "| depth | 434,164 | 0.0701 | 20.44 | 0.7319 |"
    assert one.splitlines()[-1] == "one seed (0): no spread"
    with open(os.path.join(folder, "results.md"), encoding="utf-8") as f:
        assert bench.markdown(bench.summarise(runs), [0, 1, 2]) + "\n" == f.read()
