"""README's 'Your own tables' says how a run's recorded config reads back:
one record's ``config`` of ``results.json``, written to a file as the
section writes it, is a ``--config`` of the command (``results.json``
itself is not)."""
import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import yaml

README = Path(__file__).resolve().parent.parent / "README.md"


def test_a_records_config_reads_back_as_the_section_says(tmp_path, monkeypatch):
    from pyg_fusion.cli import main
    text = " ".join(README.read_text().split())
    section = text[text.index("<!-- section:own-tables -->"):text.index("<!-- /section:own-tables -->")]
    said = section[section.index("Each record of `results.json`"):section.index("How the files are read")]
    write = re.search(r"`(Path\([^`]*yaml\.safe_dump\([^`]*\))`", said).group(1)
    name = re.search(r"`--config ([\w.]+)`", said).group(1)
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    np.save("a.npy", rng.normal(size=(60, 3)))
    np.save("b.npy", rng.normal(size=(60, 2)))
    Path("y.csv").write_text("\n".join("xyz"[i % 3] for i in range(60)) + "\n")
    run = ["compare", "--dataset", "tables", "--views", "a.npy", "b.npy", "--labels", "y.csv",
           "--label-rate", "0.5", "--method", "graph-mean", "--seeds", "0", "--epochs", "1",
           "--no-progress", "--out", "run"]
    assert main(run) == 0
    records = json.loads(Path("run", "results.json").read_text())
    eval(write, {"Path": Path, "yaml": yaml, "records": records})
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["compare", "--config", name, "--print-config"]) == 0
    printed = yaml.safe_load(out.getvalue())
    assert printed["data"]["views"] == [f"{v}={tmp_path / v}.npy" for v in ("a", "b")]
    assert printed["method"] == "graph-mean" and printed["trainer"]["epochs"] == 1
    # results.json itself is refused, with the jq line that writes one record's config
    assert "given as `--config`, it is refused with a `jq` line that writes one record's " \
           "config" in said
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["compare", "--config", str(Path("run", "results.json"))]) == 2
    assert "jq '.[0].config'" in err.getvalue() and len(err.getvalue().splitlines()) == 1
