"""User errors that need neither torch nor Lightning were found only after
their imports (seconds): a --checkpoint whose first bytes are no file of
torch.save (empty, cut short, text), plot's --input that holds no JSON,
and the image commands' settings that --print-config checks without torch
(a --root or --data folder that does not exist, a --size under the
synthetic scenes' least side). Each is now found by the command's
``check``, with the line the run gave. One interpreter runs them all and
says whether torch was imported."""
import json
import subprocess
import sys

_SCRIPT = """
import contextlib, io, json, shlex, sys
from pyg_fusion.cli import main
said = []
for argv in sys.argv[1:]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(shlex.split(argv))
    said.append([status, err.getvalue()])
print(json.dumps({"said": said, "torch": "torch" in sys.modules}))
"""


def _refused_before_torch(cases: dict[str, str]) -> None:
    run = subprocess.run([sys.executable, "-c", _SCRIPT, *cases], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    done = json.loads(run.stdout)
    assert done["said"] == [[2, line] for line in cases.values()]
    assert not done["torch"]


def test_a_checkpoint_that_is_no_torch_file_is_refused_before_torch(tmp_path):
    empty, text, cut = tmp_path / "empty.ckpt", tmp_path / "notes.txt", tmp_path / "cut.ckpt"
    empty.write_bytes(b"")
    text.write_text("hello\n")
    cut.write_bytes(b"PK\x03\x04abc")  # a zip archive's first bytes, cut short
    out = tmp_path / "out"
    cases = {
        f"evaluate --checkpoint {empty} --out {out}":
            f"pyg-fusion evaluate: error: --checkpoint: cannot read {empty} (the file is empty)\n",
        f"evaluate --checkpoint {text} --out {out}":
            f"pyg-fusion evaluate: error: --checkpoint: cannot read {text} (not a file written "
            f"by torch.save)\n",
        f"segment evaluate --checkpoint {cut} --out {out}":
            f"pyg-fusion segment evaluate: error: --checkpoint: cannot read {cut} (the file is "
            f"cut short or damaged)\n",
        f"segment predict --checkpoint {empty} --images {text} --out {out}":
            f"pyg-fusion segment predict: error: --checkpoint: cannot read {empty} (the file is "
            f"empty)\n",
        f"translate predict --checkpoint {empty} --data {tmp_path} --out {out}":
            f"pyg-fusion translate predict: error: --checkpoint: cannot read {empty} (the file "
            f"is empty)\n",
        f"plot operator --checkpoint {empty} --out {tmp_path}/f.png":
            f"pyg-fusion plot: error: --checkpoint: cannot read {empty} (the file is empty)\n",
    }
    _refused_before_torch(cases)
    assert not out.exists()


def test_the_run_reads_a_checkpoint_as_the_check_did(tmp_path):
    # one reader: load_torch says what the command's check said
    import pytest

    from pyg_fusion._loading import check_torch_file, load_torch
    path = tmp_path / "empty.ckpt"
    path.write_bytes(b"")
    with pytest.raises(ValueError) as checked:
        check_torch_file(path, what="--checkpoint")
    with pytest.raises(ValueError) as loaded:
        load_torch(path, what="--checkpoint")
    assert str(checked.value) == str(loaded.value) == \
        f"--checkpoint: cannot read {path} (the file is empty)"


def test_a_plot_input_that_is_no_json_or_another_runs_file_is_refused_before_torch(tmp_path):
    text, report = tmp_path / "notes.txt", tmp_path / "metrics.json"
    text.write_text("hello\n")
    report.write_text(json.dumps({"split": "test", "config": {}, "metrics": {}}))
    cases = {
        f"plot pq-sensitivity --input {text} --out {tmp_path}/f.png":
            f"pyg-fusion plot: error: --input: '{text}' is not valid JSON: Expecting value: "
            f"line 1 column 1 (char 0)\n",
        f"plot anomaly-scores --input {report} --out {tmp_path}/f.png":
            f"pyg-fusion plot: error: --input {report} holds the report of pyg-fusion segment "
            f"or translate (metrics.json); anomaly-scores draws a scores file ({{'scores': "
            f"{{video: [...]}}, ...}} or {{'videos': [...]}})\n",
    }
    _refused_before_torch(cases)
    assert not (tmp_path / "f.png").exists()


def test_the_image_commands_settings_are_refused_before_torch(tmp_path):
    # what --print-config checks without torch, the run checked after it
    import torch
    ckpt = tmp_path / "m.ckpt"
    torch.save({}, ckpt)
    out, nodir = tmp_path / "out", tmp_path / "nodir"
    cases = {
        f"translate train --data {nodir} --out {out}":
            f"pyg-fusion translate train: error: --data folder '{nodir}' does not exist\n",
        f"segment train --data nyud --root {nodir} --out {out}":
            f"pyg-fusion segment train: error: --root folder not found: {nodir}\n",
        f"train --task segment --data nyud --root {nodir} --out {out}":
            f"pyg-fusion segment train: error: --root folder not found: {nodir}\n",
        f"segment train --size 8 --out {out}":
            "pyg-fusion segment train: error: --size must be >= 16 (pixels of the synthetic "
            "scenes' side), got 8\n",
        f"translate evaluate --checkpoint {ckpt} --data {nodir} --out {out}":
            f"pyg-fusion translate evaluate: error: --data folder '{nodir}' does not exist\n",
    }
    _refused_before_torch(cases)
    assert not out.exists()


def test_a_lego_methods_options_together_are_refused_before_torch(tmp_path):
    # LEGOFusion's rules of its options together (check_fusion_options), which
    # --print-config checks too, imported torch with the operator's module
    out = tmp_path / "out"
    cases = {
        f"train --method lego --init mean --out {out}":
            "pyg-fusion train: error: --init mean needs --operator pairwise or full and "
            "--zeroth ones (with R^0 = I the mean of the graphs is not an operator of the form; "
            "a rank-R CP operator is a product of M factors); lego has --init mean, --operator "
            "pairwise, --zeroth identity\n",
        f"compare --method lego,lego-cp --term-scale mean --out {out}":
            "pyg-fusion compare: error: --term-scale mean needs --operator pairwise or full (a "
            "CP operator is a product of per-source sums, not a weight per term); lego-cp has "
            "--term-scale mean, the CP operator (whatever --operator says)\n",
        f"sweep --method lego --support intersection --zeroth ones --out {out}":
            "pyg-fusion sweep: error: --support intersection would drop the single-source terms "
            "that --zeroth ones adds (the sparse G would differ from the dense one); use "
            "--support union or shared; lego has --support intersection, --zeroth ones\n",
    }
    _refused_before_torch(cases)
    assert not out.exists()


def test_a_predict_folder_and_a_graph_input_are_refused_before_torch(tmp_path):
    # translate predict's --data was checked once the checkpoint had loaded;
    # plot's graph figures read --input with torch.load
    import torch
    ckpt, text = tmp_path / "m.ckpt", tmp_path / "notes.txt"
    torch.save({}, ckpt)
    text.write_text("hello\n")
    out, nodir = tmp_path / "out", tmp_path / "nodir"
    cases = {
        f"translate predict --checkpoint {ckpt} --data {nodir} --out {out}":
            f"pyg-fusion translate predict: error: --data folder '{nodir}' does not exist\n",
        f"translate predict --checkpoint {ckpt} --data {text} --out {out}":
            f"pyg-fusion translate predict: error: --data folder '{text}' is a file\n",
        f"plot adjacency --input {text} --out {tmp_path}/f.png":
            f"pyg-fusion plot: error: --input: cannot read {text} (not a file written by "
            f"torch.save)\n",
    }
    _refused_before_torch(cases)
    assert not out.exists() and not (tmp_path / "f.png").exists()


def test_a_source_of_no_named_data_set_is_refused_before_torch(tmp_path):
    # the graph figures of --dataset checked --source / --sources once the
    # data set had loaded (and been written under --root)
    cases = {
        f"plot relation-graph --dataset digits --source bogus --root {tmp_path}/data "
        f"--out {tmp_path}/f.png":
            "pyg-fusion plot: error: --source 'bogus' is not in the graph; its sources are "
            "['fac', 'fou', 'kar', 'mor', 'pix', 'zer']\n",
        f"plot adjacency --dataset synthetic-vad --sources i3d,bogus --root {tmp_path}/data "
        f"--out {tmp_path}/f.png":
            "pyg-fusion plot: error: --sources: ['bogus'] not in the graph; it has ['c3d', "
            "'i3d', 'swin']\n",
    }
    _refused_before_torch(cases)
    assert not (tmp_path / "data").exists() and not (tmp_path / "f.png").exists()


def test_a_method_of_no_name_is_refused_before_torch(tmp_path):
    # evaluate compared --method with the checkpoint's method once torch had
    # loaded it: a name of no method at all is wrong whatever the checkpoint
    import torch
    ckpt = tmp_path / "m.ckpt"
    torch.save({}, ckpt)
    out = tmp_path / "out"
    known = ("lego, lego-cp, single-*, feature-concat, feature-add, feature-product, graph-*, "
             "graph-concat, graph-mean, graph-product, gcn-*, gcn-mean, asym-shuffle, lego-row, "
             "mtn (* a source's name)")
    cases = {
        f"evaluate --checkpoint {ckpt} --method bogus --out {out}":
            f"pyg-fusion evaluate: error: --method 'bogus' is no method name; known: {known}\n",
        f"evaluate --checkpoint {ckpt} --method lego-rw --out {out}":
            f"pyg-fusion evaluate: error: --method 'lego-rw' is no method name; known: {known} "
            f"(maybe you meant 'lego-row'?)\n",
    }
    _refused_before_torch(cases)
    assert not out.exists()


def test_a_method_of_some_task_and_sources_is_left_to_the_checkpoint():
    # a source's method or another task's is compared with the checkpoint's;
    # a family or "all" names no one method
    import pytest

    from pyg_fusion.specs.method_names import check_method_name
    assert [check_method_name(name) for name in ("lego", "lego-row", "mtn", "single-accel",
                                                 "graph-gyro", "gcn-mean", "asym-shuffle")] \
        == [None] * 7
    for name in ("graph", "all"):
        with pytest.raises(ValueError, match=f"--method '{name}' is no method name"):
            check_method_name(name)
