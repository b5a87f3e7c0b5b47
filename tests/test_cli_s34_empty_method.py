"""--method '' (an unset shell variable): evaluate read it as not given and
scored the checkpoint's method unchecked; train / compare said 'no method
given', naming no flag. Every --method refuses it in one line, exit 2."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("argv", [["train"], ["compare"], ["sweep"],
                                  ["evaluate", "--checkpoint", "{ckpt}"],
                                  ["plot", "pq-sensitivity", "--input", "{ckpt}"]])
@pytest.mark.parametrize("value", ["", " , "])
def test_an_empty_method_is_refused_naming_the_flag(tmp_path, capsys, argv, value):
    (tmp_path / "c.ckpt").write_bytes(b"")
    argv = [a.format(ckpt=tmp_path / "c.ckpt") for a in argv]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--method", value, "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    command = " ".join(argv[:1])
    assert capsys.readouterr().err == (f"pyg-fusion {command}: error: argument --method: "
                                       f"expected a method name, got {value!r} (see "
                                       f"pyg-fusion {command} --help)\n")
    assert not (tmp_path / "o").exists()
