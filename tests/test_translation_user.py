"""AsymFusion image translation as a user runs it on their own settings and
images: what the module, the metrics and evaluate accept and give back (the
folder reader's own checks: test_translation_folder_user.py)."""
import pytest
import torch
from translation_folders import translation_folder as _folder

from pyg_fusion.training.translation import TranslationModule

TINY = dict(ngf=2, num_downs=3)


@pytest.mark.parametrize("kw, names", [
    (dict(ndf=16), "ndf"),
    (dict(d_layers=2, d_norm="instance"), "d_layers, d_norm"),
    (dict(lambda_gan=5.0), "lambda_gan"),
])
def test_the_module_refuses_critic_settings_without_a_critic(kw, names):
    """TranslationModule(gan_mode='none', ndf=16) built no critic and saved
    ndf=16 with its hyper-parameters as if used (only the CLI refused it)."""
    with pytest.raises(ValueError) as err:
        TranslationModule(["shade", "depth"], gan_mode="none", **TINY, **kw)
    it = "it" if "," not in names else "them"
    assert str(err.value) == (f"{names}: the PatchGAN critic's, not read with "
                              f"gan_mode='none' (which trains no critic); leave {it} at "
                              f"the default")
    # at their defaults, or a GAN weight of 0 (no GAN loss: the same), they pass
    assert TranslationModule(["shade"], gan_mode="none", lambda_gan=0.0,
                             **TINY).discriminator is None
    assert TranslationModule(["shade"], gan_mode="vanilla", **TINY, **kw).discriminator \
        is not None


def test_an_older_checkpoint_without_a_critic_still_loads(tmp_path):
    """translate train --gan-mode none saved the CLI's unread --ndf 32
    --d-layers 2; such a checkpoint is read as before, with the same weights."""
    from pyg_fusion._loading import load_lightning
    torch.manual_seed(0)
    module = TranslationModule(["shade", "depth"], [1, 1], gan_mode="none", **TINY)
    hp = {**module.hparams, "ndf": 32, "d_layers": 2}
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": hp},
               tmp_path / "old.ckpt")
    loaded = load_lightning(TranslationModule, tmp_path / "old.ckpt", task="translate")
    assert loaded.discriminator is None
    assert (loaded.hparams.ndf, loaded.hparams.d_layers) == (64, 3)
    for k, v in module.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v), k


def test_images_of_other_channels_than_the_generators_are_refused(tmp_path, capsys):
    """The generator tiles one channel to three, so grey 'normal' images ran
    through a generator trained on colour ones (or colour depth through a grey
    one: a --val-data folder, evaluate's --data) and were scored without a word."""
    import dataclasses

    from torch_geometric.data import Batch

    from pyg_fusion.cli import main
    from pyg_fusion.datasets.translation import image_pair_data
    from pyg_fusion.experiments.image_config import TranslateDataConfig
    module = TranslationModule(["normal", "depth"], [3, 1], gan_mode="none", **TINY)
    grey = Batch.from_data_list([image_pair_data(
        {"normal": torch.rand(1, 8, 8), "depth": torch.rand(1, 8, 8)}, torch.rand(3, 8, 8))])
    with pytest.raises(ValueError) as err:
        module.translate(grey)
    assert str(err.value) == ("'normal' images have 1 channel, but the generator was built "
                              "for 3-channel 'normal' images (modality_channels): give "
                              "'normal' images of 3 channels")
    # evaluate on a folder of grey normals
    folder = _folder(tmp_path / "test", n=2, mods=("normal", "depth", "rgb"))
    data = dataclasses.asdict(TranslateDataConfig(data=str(tmp_path / "train"),
                                                  modalities="normal,depth", image_size=8))
    ckpt = tmp_path / "n.ckpt"
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**module.hparams, "data_config": data}}, ckpt)
    assert main(["translate", "evaluate", "--checkpoint", str(ckpt), "--data", str(folder),
                 "--out", str(tmp_path / "ev"), "--no-progress"]) == 2
    assert capsys.readouterr().err == ("pyg-fusion translate evaluate: error: 'normal' "
                                       "images have 1 channel, but the generator was built "
                                       "for 3-channel 'normal' images (modality_channels): "
                                       "give 'normal' images of 3 channels\n")


@pytest.mark.parametrize("flags, message", [
    (["--num-test", "2"], "--num-test: synthetic data only, not read with --data {data} "
                          "(every scene of the folder is scored)"),
    (["--root", "elsewhere", "--data-seed", "4"],
     "--root, --data-seed: synthetic data only, not read with --data {data} (every scene "
     "of the folder is scored)"),
    (["--inception-size", "64"], "--inception-size: the input side of --inception's "
                                 "network, not read without --inception"),
])
def test_evaluate_refuses_settings_it_would_not_read(tmp_path, capsys, flags, message):
    """translate evaluate --data FOLDER --num-test 2 scored every scene of the
    folder and recorded num_test 2 in metrics.json as if read (so --data-seed,
    --root; --inception-size without --inception), where translate train refuses
    the synthetic scenes' flags with a folder."""
    import dataclasses
    import json

    from pyg_fusion.cli import main
    from pyg_fusion.experiments.image_config import TranslateDataConfig
    folder = _folder(tmp_path / "test", n=3)
    module = TranslationModule(["depth", "shade"], [1, 1], gan_mode="none", **TINY)
    data = dataclasses.asdict(TranslateDataConfig(data=str(folder), modalities="depth,shade",
                                                  image_size=8))
    ckpt = tmp_path / "t.ckpt"
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**module.hparams, "data_config": data}}, ckpt)
    base = ["translate", "evaluate", "--checkpoint", str(ckpt), "--data", str(folder),
            "--num-figure", "0", "--no-progress"]
    assert main([*base, *flags, "--out", str(tmp_path / "ev")]) == 2
    assert capsys.readouterr().err == (f"pyg-fusion translate evaluate: error: "
                                       f"{message.format(data=folder)}\n")
    assert not (tmp_path / "ev").exists()
    # the run's recorded config, read back, holds them at their defaults: it passes
    assert main([*base, "--out", str(tmp_path / "ok")]) == 0
    config = json.loads((tmp_path / "ok" / "metrics.json").read_text())["config"]
    (tmp_path / "rec.json").write_text(json.dumps(config))
    assert main(["translate", "evaluate", "--config", str(tmp_path / "rec.json"),
                 "--out", str(tmp_path / "again"), "--no-progress"]) == 0


def test_a_folder_of_one_scene_names_the_way_out(tmp_path, capsys):
    """'--data needs at least 2 scenes to hold some out' named neither the
    folder nor --val-data, with which one training scene trains."""
    from pyg_fusion.cli import main
    one = _folder(tmp_path / "one", n=1)
    args = ["translate", "train", "--data", str(one), "--modalities", "depth,shade",
            "--image-size", "8", "--num-downs", "2", "--gan-mode", "none", "--epochs", "1",
            "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion translate train: error: --data {one} holds one scene: the validation "
        f"scenes are 10% of it (at least one), held out of training, so it needs at least 2; "
        f"give more scenes, or the validation folder with --val-data\n")
    val = _folder(tmp_path / "val", n=2)
    assert main([*args, "--val-data", str(val), "--out", str(tmp_path / "o")]) == 0


@pytest.mark.parametrize("flag", ["--data", "--val-data"])
@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_folder_that_is_not_one_names_its_flag(tmp_path, capsys, flag, kind):
    """A --val-data that did not exist was reported as '--data folder ... does not
    exist', the other flag; a file given as the folder 'did not exist'."""
    from pyg_fusion.cli import main
    good = str(_folder(tmp_path / "good", n=2))
    bad = tmp_path / "bad"
    if kind == "file":
        bad.write_text("")
    folders = {"--data": good, "--val-data": good, flag: str(bad)}
    assert main(["translate", "train", "--modalities", "depth,shade", "--image-size", "8",
                 "--num-downs", "2", "--gan-mode", "none", "--out", str(tmp_path / "o"),
                 *[x for kv in folders.items() for x in kv], "--no-progress"]) == 2
    said = "is a file" if kind == "file" else "does not exist"
    assert capsys.readouterr().err == (f"pyg-fusion translate train: error: {flag} folder "
                                       f"{str(bad)!r} {said}\n")


def test_a_folder_trained_at_the_default_side_is_told_so(tmp_path, capsys):
    """--image-size defaults to 32, the synthetic scenes' side: a user's folder
    of larger (or smaller) images was resized to 32 x 32 without a word."""
    from pyg_fusion.cli import main
    folder = _folder(tmp_path / "d", n=2, size=16)
    args = ["translate", "train", "--data", str(folder), "--modalities", "depth,shade",
            "--num-downs", "2", "--gan-mode", "none", "--epochs", "1", "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        f"pyg-fusion translate train: notice: --image-size 32 (the default) resizes the "
        f"images of --data {folder} (16 x 16 pixels, as its first scene) to 32 x 32; give "
        f"--image-size to train at another side")
    assert main([*args, "--image-size", "16", "--out", str(tmp_path / "b")]) == 0
    assert "notice" not in capsys.readouterr().err


def test_evaluating_the_training_folder_is_told(tmp_path, capsys):
    """translate evaluate needs --data for a checkpoint trained on a folder (it
    has no test split), but given the training folder itself it scored the
    scenes the generator learned from, as if held out, without a word."""
    import dataclasses

    from pyg_fusion.cli import main
    from pyg_fusion.experiments.image_config import TranslateDataConfig
    train, test = _folder(tmp_path / "train", n=2), _folder(tmp_path / "test", n=2)
    module = TranslationModule(["depth", "shade"], [1, 1], gan_mode="none", **TINY)
    data = dataclasses.asdict(TranslateDataConfig(data=str(train), modalities="depth,shade",
                                                  image_size=8))
    ckpt = tmp_path / "t.ckpt"
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**module.hparams, "data_config": data}}, ckpt)
    args = ["translate", "evaluate", "--checkpoint", str(ckpt), "--num-figure", "0",
            "--no-progress"]
    assert main([*args, "--data", f"{train}/", "--out", str(tmp_path / "a")]) == 0
    assert capsys.readouterr().err == (
        f"pyg-fusion translate evaluate: notice: --data {train}/ is the folder the "
        f"checkpoint was trained on: the scores are of scenes it learned from, not of "
        f"held-out test scenes\n")
    assert main([*args, "--data", str(test), "--out", str(tmp_path / "b")]) == 0
    assert "notice" not in capsys.readouterr().err


def test_channels_guessed_from_the_names_say_so():
    """Without modality_channels the module takes 1 channel for every modality
    but normal / rgb: a user's 3-channel 'photo' was then told to give 1-channel
    images, not that the count was a guess it can pass."""
    from torch_geometric.data import Batch

    from pyg_fusion.datasets.translation import image_pair_data
    batch = Batch.from_data_list([image_pair_data({"photo": torch.rand(3, 8, 8)},
                                                  torch.rand(3, 8, 8))])
    with pytest.raises(ValueError) as err:
        TranslationModule(["photo"], gan_mode="none", **TINY).translate(batch)
    assert str(err.value) == ("'photo' images have 3 channels, but the generator was built "
                              "for 1-channel 'photo' images (modality_channels, guessed from "
                              "the names: pass modality_channels to build it for others): "
                              "give 'photo' images of 1 channel")
    out = TranslationModule(["photo"], [3], gan_mode="none", **TINY).translate(batch)
    assert out["ensemble"].shape == (1, 3, 8, 8)


def test_evaluating_at_another_side_is_told(tmp_path):
    """evaluate_translate(ckpt, TranslateDataConfig(data=FOLDER), ...), as a
    Python caller writes it, overrode the checkpoint's 16-pixel side with the
    config's default 32, which the U-Net takes: other scores, without a word."""
    import dataclasses

    from pyg_fusion import PygFusionNotice
    from pyg_fusion.experiments.image_config import TranslateDataConfig, TranslateEvalConfig
    from pyg_fusion.experiments.translate_run import evaluate_translate
    test = _folder(tmp_path / "test", n=2, size=16)
    module = TranslationModule(["shade", "depth"], [1, 1], gan_mode="none", **TINY)
    data = dataclasses.asdict(TranslateDataConfig(data=str(tmp_path / "train"),
                                                  modalities="shade,depth", image_size=16))
    ckpt = tmp_path / "t.ckpt"
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**module.hparams, "data_config": data}}, ckpt)
    with pytest.warns(PygFusionNotice) as seen:
        run = evaluate_translate(str(ckpt), TranslateDataConfig(data=str(test)),
                                 TranslateEvalConfig(), str(tmp_path / "ev"), progress=False,
                                 report=False)
    assert [str(w.message) for w in seen] == [
        "--image-size 32: the checkpoint was trained with --image-size 16; scoring with the "
        "settings given (left out, or None in Python, a setting is the checkpoint's)"]
    assert run.data[0].y.shape == (1, 3, 32, 32)


def test_metrics_record_how_many_scenes_they_score(tmp_path):
    """metrics.json gave the mean scores without the number of scenes behind
    them: a folder's validation split is 10% of it (2 of 20 scenes here)."""
    import json

    from pyg_fusion.cli import main
    folder = _folder(tmp_path / "d", n=20)
    assert main(["translate", "train", "--data", str(folder), "--modalities", "depth,shade",
                 "--image-size", "8", "--num-downs", "2", "--gan-mode", "none", "--epochs",
                 "1", "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert (metrics["split"], metrics["scenes"]) == ("validation", 2)
    assert (tmp_path / "o" / "metrics.md").read_text().startswith(
        "scores on the validation split (2 scenes)\n\n| output |")


def test_the_training_folder_as_validation_folder_is_told(tmp_path, capsys):
    """--val-data naming the --data folder validated on the training scenes and
    chose best.ckpt by them, without a word."""
    from pyg_fusion.cli import main
    folder = _folder(tmp_path / "d", n=2)
    assert main(["translate", "train", "--data", str(folder), "--val-data", f"{folder}/",
                 "--modalities", "depth,shade", "--image-size", "8", "--num-downs", "2",
                 "--gan-mode", "none", "--epochs", "1", "--out", str(tmp_path / "o"),
                 "--no-progress"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        f"pyg-fusion translate train: notice: --val-data {folder}/ is the --data folder: the "
        f"validation scores, and best.ckpt chosen by them, are of the training scenes")


def test_fid_of_one_scene_names_the_flag(tmp_path, capsys):
    """'FID needs at least 2 images' named neither --inception nor the data."""
    import dataclasses

    from pyg_fusion.cli import main
    from pyg_fusion.experiments.image_config import TranslateDataConfig

    class Mean(torch.nn.Module):
        def forward(self, x):
            return x.mean((2, 3))

    net = tmp_path / "net.pt"
    torch.jit.save(torch.jit.trace(Mean(), torch.rand(2, 3, 8, 8)), str(net))
    test = _folder(tmp_path / "test", n=1)
    module = TranslationModule(["depth", "shade"], [1, 1], gan_mode="none", **TINY)
    data = dataclasses.asdict(TranslateDataConfig(data=str(tmp_path / "train"),
                                                  modalities="depth,shade", image_size=8))
    ckpt = tmp_path / "t.ckpt"
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**module.hparams, "data_config": data}}, ckpt)
    assert main(["translate", "evaluate", "--checkpoint", str(ckpt), "--data", str(test),
                 "--inception", str(net), "--inception-size", "8", "--out",
                 str(tmp_path / "ev"), "--no-progress"]) == 2
    assert capsys.readouterr().err == (
        "pyg-fusion translate evaluate: error: feature_extractor (--inception): FID and KID "
        "need at least 2 test scenes, the data holds 1; score it without one\n")


def test_a_modality_folder_named_with_a_dot_trains(tmp_path):
    """The validation metrics were a ModuleDict keyed by modality, so a folder
    named 'depth.v2' ended translate train in a KeyError traceback ('module name
    can't contain "."'); a modality named 'ensemble' took the ensemble's scores."""
    import json

    from pyg_fusion.cli import main
    folder = _folder(tmp_path / "d", n=2, mods=("depth.v2", "shade", "rgb"))
    assert main(["translate", "train", "--data", str(folder), "--modalities", "depth.v2,shade",
                 "--image-size", "8", "--num-downs", "2", "--gan-mode", "none", "--epochs",
                 "1", "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())["metrics"]
    assert list(metrics) == ["depth.v2", "shade", "ensemble"]
    with pytest.raises(ValueError) as err:
        TranslationModule(["ensemble", "shade"], **TINY)
    assert str(err.value) == ("modalities: 'ensemble' names the ensemble's output; rename "
                              "that modality")


def test_evaluate_help_says_what_a_folder_reads():
    """translate evaluate --help listed --root and --data-seed as overrides for
    every --data, which a folder refuses (c813aac), and said nothing of another
    --image-size's notice (ed87f22)."""
    from pyg_fusion.cli.translate import EVALUATE_DATA
    assert "another side than the checkpoint's gets a notice" in EVALUATE_DATA
    assert ("whose every scene is scored (--root, --data-seed and --num-test are the "
            "synthetic scenes')") in EVALUATE_DATA


def test_scores_against_a_reference_by_hand():
    """L1, PSNR and SSIM of evaluate_translation over every image, whatever the
    batches: L1 and PSNR by hand (PSNR of the MSE over all pixels, which the
    mean of per-image PSNRs is not), SSIM the mean of per-image SSIMs (each the
    mean of the image's whole SSIM map)."""
    from torch_geometric.data import Batch
    from torch_geometric.loader import DataLoader
    from torchmetrics.functional.image import structural_similarity_index_measure as ssim

    from pyg_fusion.datasets.translation import image_pair_data
    from pyg_fusion.training.translation_eval import evaluate_translation, translate_batch
    torch.manual_seed(0)
    module = TranslationModule(["shade"], [1], gan_mode="none", **TINY)
    scenes = [image_pair_data({"shade": torch.rand(1, 16, 16)}, torch.rand(3, 16, 16) * s)
              for s in (0.2, 1.0, 0.6)]
    out = translate_batch(module, Batch.from_data_list(scenes))["ensemble"]
    y = torch.cat([d.y for d in scenes])
    mse = (out - y).pow(2)
    for batch_size in (1, 2, 3):
        got = evaluate_translation(module, DataLoader(scenes, batch_size=batch_size))
        assert got["ensemble"]["l1"] == pytest.approx((out - y).abs().mean().item(), rel=1e-5)
        assert got["ensemble"]["psnr"] == pytest.approx(
            10 * torch.log10(1 / mse.mean()).item(), rel=1e-5)
        assert got["ensemble"]["psnr"] != pytest.approx(
            (10 * torch.log10(1 / mse.mean((1, 2, 3)))).mean().item(), rel=1e-3)
        # each image's SSIM the mean of its whole SSIM map (training/_ssim.py), which
        # torchmetrics 1.3's own reduction is not (it drops the border pixels)
        assert got["ensemble"]["ssim"] == pytest.approx(
            torch.stack([ssim(out[i:i + 1], y[i:i + 1], data_range=1.0,
                              return_full_image=True)[1].mean()
                         for i in range(3)]).mean().item(), rel=1e-5)
