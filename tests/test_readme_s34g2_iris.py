"""README's iris numbers are the record it names (657a2fa):
benchmarks/results/iris_tables.json, every figure digit for digit."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_iris_numbers_are_the_record_readme_names():
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    start = text.index("`benchmarks/results/iris_tables.json`, the command's `results.json`):")
    said = text[start:text.index("(validation:", start)]
    found = re.findall(r"(graph-petal|graph-mean|feature-concat|lego|graph-sepal)\*{0,2} "
                       r"(\d+\.\d\d) ± (\d+\.\d\d)", said.replace("**lego", "lego"))
    records = json.loads((ROOT / "benchmarks" / "results" / "iris_tables.json").read_text())
    by = {(r["method"], r["metric"]): r for r in records}
    assert [m for m, _, _ in found] == ["graph-petal", "graph-mean", "feature-concat", "lego",
                                        "graph-sepal"]
    for method, mean, std in found:
        r = by[method, "accuracy"]
        assert (f"{100 * r['mean']:.2f}", f"{100 * r['std']:.2f}") == (mean, std), method
    val = text[text.index("(validation:", start):].split(")")[0]
    assert re.findall(r"\d+\.\d\d", val) == [f"{100 * by[m, 'val_accuracy']['mean']:.2f}"
                                             for m, _, _ in found]
