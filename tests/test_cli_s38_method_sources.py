"""A method of one source (``gcn-<view>``) and an option given per source
are checked, before the data loads, against the sources that the data config
names (digits' views, the generated sets' sources, --views, --vad-source):
``train --method gcn-typo --print-config`` printed a config (gcn-typo read as
the GCN of a source 'typo' that digits might have), and the run refused it
only once the data had loaded."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("flags, message", [
    (["--method", "gcn-fuo"], "unknown method 'gcn-fuo' for task 'node'; known: lego, "
     "lego-cp, single-fac, single-fou,"),
    (["--dataset", "synthetic-vad", "--method", "graph-i3x"], "unknown method 'graph-i3x' for "
     "task 'vad'; known: lego, lego-cp, lego-row, single-c3d, single-i3d, single-swin,"),
    (["--dataset", "motion-vad", "--method", "lego,single-acel"], "unknown method "
     "'single-acel' for task 'vad'; known: lego, lego-cp, lego-row, single-accel, "
     "single-gyro,"),
    (["--dataset", "vad", "--vad-source", "rgb=f/{name}.npy", "--method", "single-rbg"],
     "unknown method 'single-rbg' for task 'vad'; known: lego, lego-cp, lego-row, single-rgb,"),
    (["--num-powers", "fuo=2"], "--num-powers: the sources of digits are fac, fou, kar, mor, "
     "pix, zer; give one value for all, or one per source (SOURCE=N,...), got fuo"),
])
def test_a_source_the_data_lacks_is_refused_before_it_loads(tmp_path, capsys, monkeypatch,
                                                            flags, message):
    import pyg_fusion.experiments.run as run

    def no_data(*args, **kwargs):
        raise AssertionError("the data loaded")
    monkeypatch.setattr(run, "load_data", no_data)
    for extra in (["--print-config"], ["--out", str(tmp_path / "out")]):
        assert main(["train", *flags, "--root", str(tmp_path / "data"), *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"pyg-fusion train: error: {message}"), err
        assert len(err.splitlines()) == 1
    # the near spelling of a typo of a source
    assert "maybe you meant" in err or "--num-powers" in err


def test_a_table_view_names_the_sources(tmp_path, capsys):
    for name in ("a.csv", "b.csv", "y.csv"):
        (tmp_path / name).write_text("1\n2\n")
    views = [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    base = ["train", "--dataset", "tables", "--views", *views, "--labels",
            str(tmp_path / "y.csv"), "--print-config"]
    assert main([*base, "--method", "gcn-aa"]) == 2
    assert "known: lego, lego-cp, single-a, single-b," in capsys.readouterr().err
    assert main([*base, "--method", "lego,gcn-a,graph-b", "--num-powers", "a=1,b=2"]) == 0
    assert "method: lego,gcn-a,graph-b" in capsys.readouterr().out
