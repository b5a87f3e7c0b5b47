"""A --topk beyond the segments of a VAD video was taken as all of them (the
MIL mean takes min(topk, segments)) and recorded as given: pyg-fusion train
--dataset synthetic-vad --topk 1000 trained with the mean of 32 segments and
its record said topk 1000. It is refused before the data loads, by train,
compare and sweep, and by --print-config."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("command", [["train"], ["compare"], ["sweep", "--p", "1,2"]])
def test_topk_beyond_the_segments_is_refused(tmp_path, capsys, monkeypatch, command):
    import pyg_fusion.experiments.data as data
    import pyg_fusion.experiments.run as run

    def no_data(*args, **kwargs):
        raise AssertionError("the data loaded")
    monkeypatch.setattr(run, "load_data", no_data)
    monkeypatch.setattr(data, "load_data", no_data)
    argv = [*command, "--dataset", "synthetic-vad", "--num-segments", "8", "--topk", "9",
            "--root", str(tmp_path / "data")]
    for extra in (["--print-config"], ["--out", str(tmp_path / "out"), "--no-progress"]):
        assert main([*argv, *extra]) == 2
        assert capsys.readouterr().err == (
            f"pyg-fusion {command[0]}: error: --topk 9 is more than the 8 segments of each "
            f"video (--num-segments): the MIL mean would take all of them; give --topk <= 8\n")
    assert main([*argv[:-4], "--topk", "8", "--print-config"]) == 0
