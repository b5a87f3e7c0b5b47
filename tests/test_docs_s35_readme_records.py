"""README's tables of measured numbers against the records they name in
benchmarks/results/: the digits table, sparse against dense, scaling and the
translation ablation, each printed value within half a unit of its last digit
of the record's (the VAD and iris tables: test_readme.py,
test_readme_s34g2_iris.py). Nothing checked these tables and their records
stay one."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def _section(start: str, end: str) -> str:
    text = (ROOT / "README.md").read_text()
    i = text.index(start)
    return text[i:text.index(end, i)]


def _agrees(printed: str, value: float, scale: float = 1.0) -> bool:
    # within half a unit of the printed value's last digit
    decimals = len(printed.partition(".")[2])
    return abs(float(printed) - value * scale) <= 0.5 * 10 ** -decimals + 1e-12


def _table(section: str, header: str) -> list[list[str]]:
    lines = section[section.index(header):].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([c.strip().strip("*").strip() for c in line.strip().strip("|").split("|")])
    return rows


def test_the_digits_table_is_its_record():
    section = _section("### Digits: node classification", "### Video anomaly detection")
    assert "(`digits_label_rate_0.05.json`" in section
    records = json.loads((RESULTS / "digits_label_rate_0.05.json").read_text())
    acc = {r["method"]: r for r in records if r["metric"] == "accuracy"}
    seen = []
    for row in _table(section, "| method | test acc |"):
        for method, cell in zip(row[0::3], row[1::3]):
            if not method:
                continue
            mean, std = cell.split(" ± ")
            r = acc[method.strip("*")]
            assert _agrees(mean, r["mean"], 100) and _agrees(std, r["std"], 100), method
            seen.append(method)
    assert sorted(seen) == sorted(acc)


def test_the_sparse_against_dense_table_is_its_record():
    section = _section("## Sparse against dense", "### Scaling")
    assert "--json benchmarks/results/sparse_vs_dense_cpu.json" in section
    record = json.loads((RESULTS / "sparse_vs_dense_cpu.json").read_text())
    runs = {(r["N"], r["backend"], r["scatter"]): r for r in record["rows"]
            if r["status"] == "ok"}
    rows = _table(section, "| N | graphs |")
    assert [int(r[0]) for r in rows] == sorted({n for n, _, _ in runs})
    for n, graphs, dense, sparse, scatter, ratio, dense_mib, sparse_mib in rows:
        n = int(n)
        d, s = runs.get((n, "dense", "native")), runs[(n, "sparse", "native")]
        assert int(graphs) == s["batch"]
        assert _agrees(sparse, s["time_s"]) and _agrees(sparse_mib, s["peak_mem_mb"]), n
        assert _agrees(scatter, runs[(n, "sparse", "torch_scatter")]["time_s"]), n
        if d is None:
            assert dense == ratio == dense_mib == "-", n
            continue
        assert _agrees(dense, d["time_s"]) and _agrees(dense_mib, d["peak_mem_mb"]), n
        assert _agrees(ratio.rstrip("x"), d["time_s"] / s["time_s"]), n


SCALING_COLUMNS = ["knn_exact_s", "knn_approx_s", "recall", "powers_s", "scipy_s", None,
                   "fusion_s", "step_fwd_s", "step_bwd_s", "dense_step_s", "bound_s", None]


def test_the_scaling_table_is_its_three_records():
    section = _section("### Scaling", "#### On a GPU")
    rows = {}
    for name in ("scaling_cpu_clustered_idle.json", "scaling_cpu_clustered_262144_idle.json",
                 "scaling_cpu_clustered_1048576.json"):
        assert f"--json benchmarks/results/{name}" in section
        rows.update({r["N"]: r for r in json.loads((RESULTS / name).read_text())["rows"]})
    table = _table(section, "| N | kNN exact")
    assert len(table) == len(rows)
    for row in table:
        n = 2 ** 20 if row[0].startswith("2^20") else int(row[0].split()[0])
        r = rows[n]
        for cell, key in zip(row[1:], SCALING_COLUMNS):
            if key is None:
                continue
            printed = cell.split()[0]
            # the runs of one size sample the recall on 2048 rows (its cell says so)
            value = r.get(key, r.get("recall_rows") if key == "recall" else None)
            if printed == "-":
                assert value is None, (n, key)
            else:
                assert _agrees(printed, value), (n, key, cell, value)
        if row[6] != "-":  # powers / scipy
            assert _agrees(row[6].rstrip("x"), r["powers_s"] / r["scipy_s"]), n
        peak = max(v for k, v in r.items() if k.endswith("maxrss_gib"))
        assert _agrees(row[12].split()[0], peak), (n, row[12], peak)


def test_the_translation_table_is_its_record():
    section = _section("**Fused vs single-modality generators**", "With three inputs")
    assert "--out benchmarks/results/translation" in section
    summary = json.loads((RESULTS / "translation" / "results.json").read_text())["summary"]
    names = {"depth only": "depth", "shade only": "shade",
             "shade + depth, AsymFusion ensemble": "shade+depth",
             "shade + depth, shade branch": "shade+depth (branch shade)",
             "shade + depth, depth branch": "shade+depth (branch depth)"}
    table = _table(section, "| generator | parameters |")
    assert [row[0] for row in table] == list(names)
    for name, params, *metrics in table:
        s = summary[names[name]]
        if params != "(same model)":
            assert int(params.replace(",", "")) == s["generator_parameters"], name
        for cell, metric in zip(metrics, ("l1", "psnr", "ssim")):
            mean, std = re.sub(r"\*", "", cell).split(" +- ")
            assert _agrees(mean, s[metric]["mean"]) and _agrees(std, s[metric]["std"]), (
                name, metric)
