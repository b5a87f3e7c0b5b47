"""A labels file of class ids and their names ('label,label_name'): 01c7293
refused it as a header naming another column the label, though both columns
are the same classes (and pyg-fusion has no flag to choose a column)."""
from pyg_fusion.datasets import MultiViewTables


def test_a_label_column_beside_its_names_reads_the_same_classes(tmp_path):
    view, labels = tmp_path / "v.csv", tmp_path / "y.csv"
    view.write_text("a,b\n" + "".join(f"{i}.5,{i}.25\n" for i in range(6)), encoding="utf-8")
    names = ["cat", "dog"]
    labels.write_text("label,label_name\n" + "".join(f"{i % 2},{names[i % 2]}\n"
                                                     for i in range(6)), encoding="utf-8")
    ds = MultiViewTables(str(tmp_path / "root"), {"v": str(view)}, str(labels), log=False)
    assert ds[0].y.tolist() == [0, 1, 0, 1, 0, 1]
