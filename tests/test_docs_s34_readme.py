"""Statements of README.md that a user can check, held to the code."""
from pathlib import Path

import numpy as np
import pytest

from pyg_fusion.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _readme():
    return " ".join((ROOT / "README.md").read_text().split())


def test_own_tables_are_z_scored_over_all_rows_and_standardize_is_vads(tmp_path, capsys):
    assert ("Every column of every view is z-scored over all the rows, labelled or not "
            "(transductive, as `standardize=True` of `MultiViewTables`); the `--standardize` "
            "flag is VAD's" in _readme())
    from pyg_fusion.experiments.data import DataConfig, load_data
    rng = np.random.default_rng(0)
    a, b = tmp_path / "a.npy", tmp_path / "b.npy"
    np.save(a, rng.normal(5.0, 3.0, (40, 2)))
    np.save(b, rng.normal(-2.0, 0.5, (40, 3)))
    labels = tmp_path / "y.csv"
    labels.write_text("\n".join(str(i % 2) for i in range(40)) + "\n")
    data = load_data(DataConfig(dataset="tables", root=str(tmp_path / "data"),
                                views=[str(a), str(b)], labels=str(labels)))
    for name in ("x_a", "x_b"):
        x = data.graph[name]
        assert x.mean(0).abs().max() < 1e-5 and (x.std(0) - 1).abs().max() < 1e-5
    assert main(["train", "--dataset", "tables", "--views", str(a), str(b), "--labels",
                 str(labels), "--standardize", "--out", str(tmp_path / "run")]) == 2
    assert "--standardize applies to --dataset synthetic-vad" in capsys.readouterr().err


def test_the_vad_tables_rows_are_in_the_files_the_records_line_names():
    assert ("but for three rows: lego's and lego-cp's are their re-run with this version, "
            "`vad_support_gradient_{motion,synthetic,relational}.json`, and lego-row's the "
            "`--init auto` run of `vad_warmup_auto.json`" in _readme())
    import json
    import re
    results = ROOT / "benchmarks" / "results"
    files = {"motion": ("motion_vad", "basic_motions,standardized"),
             "synthetic": ("synthetic_vad", "multi_representation"),
             "relational": ("synthetic_vad_relational", "multi_representation,relational_shift=4")}
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        m = re.match(r"\| \**([a-z0-9-]+)\**(?: \(row head\))? \| (.*) \| 5 \|$", line)
        if m:
            rows[m.group(1)] = [c.strip().strip("*") for c in m.group(2).split("|")]
    for col, (name, (plain, setting)) in enumerate(files.items()):
        for method, cells in rows.items():
            if cells[col] == "-":
                continue
            source = {"lego": f"vad_support_gradient_{name}", "lego-cp":
                      f"vad_support_gradient_{name}", "lego-row": "vad_warmup_auto"}.get(method, plain)
            records = json.loads((results / f"{source}.json").read_text())
            (rec,) = [r for r in records if r["method"] == method and r["metric"] == "auc"
                      and r["setting"] == setting
                      and (source != "vad_warmup_auto" or r["config"]["fusion"]["init"] == "auto")]
            assert f"{rec['mean'] * 100:.2f} ± {rec['std'] * 100:.2f}" == cells[col], (method, name)


def test_the_cp_operators_run_on_the_intersections_is_where_readme_says():
    assert ("43.75 ± 25.08 on the intersections, where a product over six kNN graphs left almost "
            "no edge off the diagonal: the run recorded at commit adccd88, whose "
            "`digits_label_rate_0.05_labels.json` a later run replaced)" in _readme())
    import json
    import subprocess
    try:
        old = subprocess.run(["git", "show", "adccd88:benchmarks/results/"
                              "digits_label_rate_0.05_labels.json"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no git history here")
    (rec,) = [r for r in json.loads(old) if r["method"] == "lego-cp" and r["metric"] == "accuracy"]
    assert f"{rec['mean'] * 100:.2f} ± {rec['std'] * 100:.2f}" == "43.75 ± 25.08"
