"""The image commands' --print-config checks its configs as their runs do
before any work, so that the YAML it prints runs; and segment's check of
flags of the other kind of data raised a NameError (a traceback) instead of
its message."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("argv, message", [
    # a NameError of check_segment ('flag', shadowed by a local), in the run too
    (["segment", "train", "--crop-size", "64"],
     "--crop-size: nyud data only, not read with --data synthetic"),
    (["segment", "train", "--batch-size", "1", "--size", "32"],
     "--batch-size 1 gives training batches of one image, and at --size 32 the encoder's "
     "deepest map is 1x1, so BatchNorm has one value per channel; use batches of >= 2 "
     "images, --size > 32 or --frozen-stats"),
    (["translate", "train", "--gan-mode", "none", "--ndf", "16"],
     "--ndf: the PatchGAN critic's, not read with --gan-mode none (which trains no critic)"),
    (["translate", "train", "--image-size", "12"],
     "--image-size 12 is not divisible by 2**num_downs = 8 (--num-downs defaults to log2 of "
     "--image-size: give --num-downs, or an --image-size that is a power of 2)"),
    (["translate", "train", "--modalities", "shade,shade"],
     "--modalities must name distinct modalities, got 'shade,shade'"),
    (["translate", "train", "--modalities", ""], "--modalities must name at least one modality"),
])
def test_print_config_refuses_what_the_run_refuses(tmp_path, capsys, argv, message):
    assert main([*argv, "--root", str(tmp_path / "data"), "--print-config"]) == 2
    prog = " ".join(argv[:2])
    assert capsys.readouterr().err == f"pyg-fusion {prog}: error: {message}\n"
    assert not (tmp_path / "data").exists()


def test_a_segment_run_with_a_flag_of_the_other_data_says_so(tmp_path, capsys):
    assert main(["segment", "train", "--crop-size", "64", "--root", str(tmp_path / "data"),
                 "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    assert capsys.readouterr().err == ("pyg-fusion segment train: error: --crop-size: nyud data "
                                       "only, not read with --data synthetic\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("noun", ["segment", "translate"])
def test_a_noun_without_its_action_is_a_one_line_error(capsys, noun):
    """pyg-fusion segment printed its whole help on stdout and exited 2 (an
    error without a line saying so), where translate said what was missing."""
    with pytest.raises(SystemExit) as exit_:
        main([noun])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (f"pyg-fusion {noun}: error: the following arguments are "
                                 f"required: ACTION (see pyg-fusion {noun} --help)\n")
