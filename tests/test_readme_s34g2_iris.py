"""README's own-tables section: its iris numbers are the record it names
(657a2fa, benchmarks/results/iris_tables.json, every figure digit for digit),
and --labels says which column is the label (01c7293)."""
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


def test_the_labels_flag_says_which_column_is_the_label(tmp_path, capsys):
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert ("`--labels FILE` (the label is its last column; a header naming another column as "
            "the label, `label,fold`, is refused)" in text)
    from pyg_fusion.cli import main
    (tmp_path / "v.csv").write_text("a,b\n" + "".join(f"{i}.5,{i % 3}.25\n" for i in range(9)))
    (tmp_path / "y.csv").write_text("label,fold\n" + "".join(f"{i % 2},{i % 3}\n"
                                                             for i in range(9)))
    assert main(["train", "--dataset", "tables", "--views", str(tmp_path / "v.csv"), "--labels",
                 str(tmp_path / "y.csv"), "--root", str(tmp_path / "root"), "--method", "lego",
                 "--epochs", "1", "--threads", "1", "--out", str(tmp_path / "out")]) == 2
    assert "is named 'label', but the label is read from column 1, 'fold'" in \
        capsys.readouterr().err
