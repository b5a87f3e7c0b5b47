"""A digits / tables config saved by an earlier version (its --print-config,
or a record's config) holds 'standardize: false', which those versions
recorded for every such run though its features were z-scored all the same;
since the record became what was done (true), the saved config was refused
('--no-standardize: --dataset digits always z-scores ...'). It loads again,
read as not given (the z-scoring it ran with), with a notice saying what to
write; --no-standardize on the command line is still refused."""
import yaml

from pyg_fusion.cli import main


def _old_config(tmp_path, capsys, dataset="digits"):
    assert main(["compare", "--dataset", dataset, "--print-config"]) == 0
    config = yaml.safe_load(capsys.readouterr().out)
    config["data"]["standardize"] = False
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(config))
    return str(tmp_path / "old.yaml")


def test_an_old_digits_config_loads_as_it_ran(tmp_path, capsys):
    path = _old_config(tmp_path, capsys)
    assert main(["compare", "--config", path, "--print-config"]) == 0
    printed = capsys.readouterr()
    assert yaml.safe_load(printed.out)["data"]["standardize"] is True
    assert printed.err == (f"pyg-fusion compare: notice: --config {path}: standardize: false "
                           f"with dataset digits is read as not given: digits runs always "
                           f"z-score every feature column over all rows, which earlier "
                           f"versions recorded as standardize: false; write standardize: true "
                           f"(or remove the line) to say so\n")
    assert main(["compare", "--config", path, "--no-standardize", "--print-config"]) == 2
    assert "--no-standardize: --dataset digits always z-scores" in capsys.readouterr().err


def test_a_vad_configs_standardize_false_is_as_before(tmp_path, capsys):
    path = _old_config(tmp_path, capsys, "synthetic-vad")
    assert main(["compare", "--config", path, "--print-config"]) == 0
    printed = capsys.readouterr()
    assert yaml.safe_load(printed.out)["data"]["standardize"] is False and printed.err == ""
