"""The report of ``benchmarks/knn_indexes.py``: the medians of its runs
with the ratios its table gives (every index's time over the exact flat
index's of the same runs), and the table."""
import statistics

# what is measured in each run: the table holds their medians over the runs
MEASURED = ("seconds", "cpu_s", "train_s", "add_s", "search_s", "exact_s", "approx_s",
            "recall", "kept_approx")


def medians(runs: list) -> list:
    """One row per measurement: the medians of :data:`MEASURED` over the
    runs (``kept_approx``: in every run), each run's values in ``runs``, and
    the ratios, from the medians: every index's seconds over the flat index's
    (``over_flat``), the checked search's over the approximate one's
    (``over_approx``), the library's index over the previous rule's
    (``library_over``, on the previous rule's row); a digits view's
    approximate search over its exact one (``approx_over_exact``)."""
    rows = []
    for same in zip(*runs, strict=True):
        row = dict(same[0])
        for key in MEASURED:
            if key == "kept_approx" and key in row:
                row[key] = all(r[key] for r in same)
            elif row.get(key) is not None:
                row[key] = statistics.median(r[key] for r in same)
        row["runs"] = [{key: r[key] for key in MEASURED if key in r} for r in same]
        rows.append(row)
    seconds = {row["index"]: row["seconds"] for row in rows if "index" in row}
    for row in rows:
        if "index" in row:
            row["over_flat"] = row["seconds"] / seconds["flat"]
        else:
            row["approx_over_exact"] = row["approx_s"] / row["exact_s"]
        if row.get("index") == "library checked":
            row["over_approx"] = row["seconds"] / seconds["library approx"]
        if row.get("index") == "previous rule, faiss calls only":
            row["library_over"] = seconds["library index, faiss calls only"] / row["seconds"]
    return rows


def table(rows: list, k: int, repeats: int) -> None:
    """Prints the rows of :func:`medians` as a table."""
    def cell(value, digits=3):
        return "-" if value is None else f"{value:.{digits}f}"
    runs = "one run" if repeats == 1 else f"median of {repeats} runs"
    if "index" in rows[0]:
        print(f"{runs}; / flat: the time over the exact flat index's in the same runs\n"
              f"| index | s | cpu s | recall@{k + 1} | / flat |\n|---|---|---|---|---|")
        for row in rows:
            print(f"| {row['index']} | {row['seconds']:.3f} | {cell(row.get('cpu_s'))} | "
                  f"{cell(row.get('recall'), 4)} | {row['over_flat']:.2f}x |")
        return
    print(f"{runs}; approx / exact: the approximate search's time over the exact one's\n"
          f"| part | view | N | exact s | approx s | approx / exact | recall@{k + 1} |\n"
          f"|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['part']} | {row['view']} | {row['n']} | {row['exact_s']:.3f} | "
              f"{row['approx_s']:.3f} | {row['approx_over_exact']:.2f}x | "
              f"{row['recall']:.4f} |")
