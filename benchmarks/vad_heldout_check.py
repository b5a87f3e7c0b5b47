"""How well the held-out loss (the VAD task's only model-choice signal: the
MIL loss on held-out training videos, weak labels) ranks runs by their test
frame ROC-AUC, from the JSON that ``pyg-fusion compare`` wrote.

Every run (one configuration, one seed) that recorded both ``val_loss`` and
``auc`` is a point; a configuration is the command without ``--method`` and
``--seeds`` in one file (the same command in two files ran on two versions
of the code: two configurations), or, for records written without their
command (``compare``'s results.json, ``vad_table2.py``), the recorded
config (spec and data) in one file; records with neither are counted and
named on stderr. Per benchmark (dataset and setting) and method the table gives

* the Spearman correlation of held-out loss and test AUC over all runs (a
  useful choice signal is clearly negative: lower loss, higher AUC), and over
  the configurations' means;
* what choosing by held-out loss gives: per seed, the configuration of lowest
  held-out loss, its test AUC averaged over seeds, against the mean over all
  configurations and the best configuration (chosen on the test: shown only as
  the ceiling, never used).

    python benchmarks/vad_heldout_check.py benchmarks/results/vad_*.json \\
        benchmarks/results/motion_vad*.json --json benchmarks/results/vad_heldout_check.json
"""
from __future__ import annotations

import json
import os
import re
import statistics
import sys

from scipy.stats import spearmanr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def configuration(command: str) -> str:
    """The command without the options that pick methods and seeds."""
    rest = re.sub(r"--(method|seeds)(\s+|=)\S+", " ", command)
    return " ".join(rest.split())


def record_configuration(r: dict) -> str | None:
    """A record's configuration: its command without methods and seeds, or,
    for records written without one (``compare``'s results.json,
    ``vad_table2.py``), its recorded config (the spec and the data) without
    the method; ``None`` when it has neither."""
    if "command" in r:
        return configuration(r["command"])
    if "config" in r:
        config = {k: v for k, v in r["config"].items() if k != "method"}
        return json.dumps(config, sort_keys=True, default=str)
    return None


def collect(rows: list[tuple[str, dict]], skipped: list | None = None,
            nulls: list | None = None) -> dict:
    """``{(benchmark, method): {(file, configuration): {seed: {metric: value}}}}``
    from ``(file, row)`` pairs; the held-out loss and AUC records with
    neither a command nor a config are counted in ``skipped``, and the seeds
    whose value is null (a NaN, a diverged run's, as write_json writes it) in
    ``nulls``, without that value: such a run is no point."""
    runs: dict = {}
    for path, r in rows:
        if r.get("metric") not in ("val_loss", "auc"):
            continue
        key = record_configuration(r)
        if key is None:
            if skipped is not None:
                skipped.append(path)
            continue
        _check_record(path, r)
        bench = f"{r['dataset']} ({r.get('setting', '')})"
        per = runs.setdefault((bench, r["method"]), {}).setdefault((path, key), {})
        for seed, value in zip(r["seeds"], r["values"]):
            if value is None:  # statistics.mean failed on it with a TypeError
                if nulls is not None:
                    nulls.append(f"{bench} {r['method']} seed {seed} ({path})")
                continue
            per.setdefault(seed, {})[r["metric"]] = value
    return runs


def _check_record(path: str, r: dict) -> None:
    """Raises a :class:`ValueError` naming ``path`` and what its held-out
    loss or AUC record ``r`` lacks: the keys that place it, or one value per
    seed (a shorter list would drop seeds without a word)."""
    missing = [key for key in ("dataset", "method", "seeds", "values") if key not in r]
    if missing:
        raise ValueError(f"{path}: a record of metric {r['metric']!r} has no "
                         + " and no ".join(repr(m) for m in missing))
    seeds, values = r["seeds"], r["values"]
    if not isinstance(seeds, list) or not isinstance(values, list) or len(seeds) != len(values):
        raise ValueError(f"{path}: a record of metric {r['metric']!r} of {r['method']!r} "
                         f"needs lists of seeds and values of one length, got {seeds!r} and "
                         f"{values!r}")


def check(configs: dict) -> dict | None:
    """The correlations and the held-out choice of one (benchmark, method)."""
    configs = {c: {s: m for s, m in seeds.items() if {"val_loss", "auc"} <= m.keys()}
               for c, seeds in configs.items()}
    configs = {c: s for c, s in configs.items() if s}
    points = [m for seeds in configs.values() for m in seeds.values()]
    if len(configs) < 3 or len(points) < 5:
        return None
    loss = [m["val_loss"] for m in points]
    auc = [m["auc"] for m in points]
    means = [(statistics.mean(m["val_loss"] for m in s.values()),
              statistics.mean(m["auc"] for m in s.values())) for s in configs.values()]
    seeds = sorted({s for c in configs.values() for s in c})
    chosen = []
    for seed in seeds:
        cands = [c[seed] for c in configs.values() if seed in c]
        chosen.append(min(cands, key=lambda m: m["val_loss"])["auc"])
    rho_runs = _spearman(loss, auc)
    rho_means = _spearman(*zip(*means))
    return {
        "runs": len(points), "configurations": len(configs),
        "spearman_runs": rho_runs,
        "spearman_configurations": rho_means,
        "auc_chosen": statistics.mean(chosen),
        "auc_mean": statistics.mean(a for _, a in means),
        "auc_best_configuration": max(a for _, a in means),
        "median_val_loss": statistics.median(loss),
    }


def _spearman(a, b) -> float:
    """Spearman's correlation of ``a`` and ``b``; NaN where one is constant
    (a method whose configurations are copies of one run, a baseline in
    several files, has constant means), as scipy gives it, without its
    ConstantInputWarning, which only a process-wide warnings filter hid."""
    if len(set(a)) < 2 or len(set(b)) < 2:
        return float("nan")
    return float(spearmanr(a, b).correlation)


def _rho(value: float) -> str:
    """A correlation for the table; one of constant inputs (NaN, null in the
    JSON) is "-", as the other scripts' tables write a missing value."""
    return "-" if value != value else f"{value:+.2f}"


def main(argv=None) -> int:
    from _cli import check_writable, parser, read_json, user_errors
    p = parser(__file__, __doc__)
    p.add_argument("files", nargs="+", help="JSON written by `pyg-fusion compare --json`")
    p.add_argument("--json", help="write the table as JSON here")
    args = p.parse_args(argv)
    check_writable(p, args.json)
    rows = []
    for path in args.files:
        data = read_json(p, path)
        if isinstance(data, list):
            rows += [(path, r) for r in data if isinstance(r, dict)]
    out, skipped, nulls = [], [], []
    with user_errors("vad_heldout_check.py"):  # a record it cannot place: one line
        runs = collect(rows, skipped, nulls)
    for (bench, method), configs in sorted(runs.items()):
        res = check(configs)
        if res is not None:
            out.append({"benchmark": bench, "method": method, **res})
    if skipped:
        print(f"skipped {len(skipped)} records with neither a command nor a config "
              f"({', '.join(sorted(set(skipped)))})", file=sys.stderr)
    if nulls:
        print(f"left out {len(nulls)} null values (a diverged seed's NaN): "
              f"{'; '.join(nulls[:5])}{'; ...' if len(nulls) > 5 else ''}", file=sys.stderr)
    if not out:  # one line as every user error: it lacked the script's name and --help
        p.error(f"none of the {len(args.files)} file(s) holds a benchmark of 3 configurations "
                "whose runs have both val_loss and auc (the records of `pyg-fusion compare "
                "--json` of a VAD task)")
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from pyg_fusion._files import write_json
        from _cli import command_line
        write_json(args.json, {"command": command_line(__file__, argv), "files": args.files,
                               "rows": out})
    print("| benchmark | method | runs | configs | rho runs | rho config means | "
          "AUC chosen | AUC mean | AUC best config (test) | median held-out loss |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in out:
        print(f"| {r['benchmark']} | {r['method']} | {r['runs']} | {r['configurations']} | "
              f"{_rho(r['spearman_runs'])} | {_rho(r['spearman_configurations'])} | "
              f"{100 * r['auc_chosen']:.2f} | {100 * r['auc_mean']:.2f} | "
              f"{100 * r['auc_best_configuration']:.2f} | {r['median_val_loss']:.3f} |")
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
