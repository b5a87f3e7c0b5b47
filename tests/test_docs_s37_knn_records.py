"""docs/methods.md's figures of the approximate kNN search against the
records they name in benchmarks/results/ (they had none): the recall the
fp16 lists cost, the probes' recall at N = 65536 and the digits' recall."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
METHODS = (ROOT / "docs" / "methods.md").read_text()


def _rows(name: str) -> list[dict]:
    return json.loads((RESULTS / name).read_text())["rows"]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_recall_that_fp16_lists_cost():
    text = _flat(METHODS)
    assert "`knn_codes_fp16.json`, `knn_codes_float.json`" in text
    lo, hi = re.search(r"for (0\.\d+)-(0\.\d+) of recall@17 on the validation features", text
                       ).groups()
    fp16 = {(r["n"], r["seed"], r["nprobe"]): r["recall"] for r in _rows("knn_codes_fp16.json")
            if r["library"]}
    floats = {(r["n"], r["seed"], r["nprobe"]): r["recall"]
              for r in _rows("knn_codes_float.json")}
    assert sorted({n for n, _, _ in fp16}) == [16384, 65536, 262144]
    cost = [round(floats[key] - fp16[key], 4) for key in fp16]
    assert (float(lo), float(hi)) == (min(cost), max(cost))


def test_the_probes_at_65536():
    text = _flat(METHODS)
    got = re.search(r"recall@17 (0\.\d+) and (0\.\d+) at 6 probes against (0\.\d+) and "
                    r"(0\.\d+) at 4 \(`benchmarks/knn_probes.py --sizes 65536 --seeds 100 101 "
                    r"--probes 4 6`, `knn_probes_65536.json`\)", text).groups()
    recall = {(r["nprobe"], r["seed"]): r["recall"] for r in _rows("knn_probes_65536.json")}
    assert [float(g) for g in got] == [round(recall[p, s], 3)
                                      for p in (6, 4) for s in (100, 101)]


def test_the_digits_recall():
    text = _flat(METHODS)
    half, everything = re.search(r"the weakest view \(fou\) has a recall@17 of (0\.\d+) at 6 "
                                 r"probes, (0\.\d+) on all 2000 units", text).groups()
    rows = _rows("knn_digits.json")
    for part, printed in (("held-out half", half), ("all", everything)):
        weakest = min((r for r in rows if r["part"] == part), key=lambda r: r["recall"])
        assert weakest["view"] == "fou" and weakest["ivf"][1] == 6
        assert float(printed) == round(weakest["recall"], 3)


def test_the_memory_of_the_sparse_step():
    text = _flat(METHODS)
    kb = re.search(r"at N = 65536: (\d+\.\d) KB per node \(`MALLOC_MMAP_THRESHOLD_=1048576 "
                   r"python benchmarks/scaling.py --sizes 65536 --features clustered --stages "
                   r"step --fusion-init random --repeats 1`", text).group(1)
    record = json.loads((RESULTS / "scaling_step_memory_65536.json").read_text())
    row, = record["rows"]
    assert row["N"] == 65536 and row["fusion_init"] == "random"
    per_node = (row["step_maxrss_gib"] - row["base_maxrss_gib"]) * 2**30 / row["N"]
    assert float(kb) == round(per_node / 1e3, 1)
