"""vad_chance.py --relational-shift nan (or -1) was read with a plain float
and refused by the library after the flags, naming its parameter
relational_shift, not the flag; it takes the scripts' checked nonneg_float."""
import pytest
from benchmark_scripts import load_benchmark


@pytest.mark.parametrize("value", ["nan", "-1", "inf"])
def test_a_bad_relational_shift_names_the_flag_before_the_data(value, tmp_path, capsys):
    with pytest.raises(SystemExit) as err:
        load_benchmark("vad_chance").main(["--relational-shift", value,
                                           "--root", str(tmp_path / "data")])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and text.splitlines() == [
        f"vad_chance.py: error: argument --relational-shift: expected a finite number >= 0, "
        f"got {float(value)} (see vad_chance.py --help)"]
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("script", ["asym_ablation", "translation_ablation"])
def test_a_bad_data_seed_names_the_flag_before_any_folder(script, tmp_path, capsys):
    # before: int, then the data refused 'seed must be an int in [0, 2**32)' after
    # --out was made, naming no flag
    with pytest.raises(SystemExit) as err:
        load_benchmark(script).main(["--data-seed", "-1", "--out", str(tmp_path / "out")])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and text.splitlines() == [
        f"{script}.py: error: argument --data-seed: expected an integer >= 0 and < 2**32, "
        f"got -1 (see {script}.py --help)"]
    assert not (tmp_path / "out").exists()
