"""Machine translation for the staff inbox, with the real argostranslate code: a tiny package
built here is installed from its file, listed, loaded and used to translate (its output is
nonsense: the mechanics are what is tested). Nothing is downloaded; argostranslate's folders
point into a temporary directory.

argostranslate is an optional extra that brings torch (through stanza, which its sentence
splitter module imports unconditionally): these tests are opt-in, marker `translate`
(`pytest -m translate` after installing the `translate-test` extra, see CONTRIBUTING.md; `.ci/run`
runs them in a venv of their own). Selected without argostranslate installed, they fail.
The default run tests the bot without the extra (tests/machine_translation/test_mt_absent.py).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from argos_package import build_package

from bot import translation
from bot.cli import main

pytestmark = pytest.mark.translate


@pytest.fixture(autouse=True)
def _argostranslate_installed() -> None:
    if importlib.util.find_spec("argostranslate") is None:
        pytest.fail(
            "the translate tests were selected but argostranslate is not installed: "
            "pip install -e '.[test,translate-test]' (install torch first, see CONTRIBUTING.md)",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def argos_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """argostranslate's data, cache, config and package folders in a temporary directory. It
    reads them from the environment at its first import; if something imported it earlier, its
    settings are pointed here directly. Installed models are removed afterwards."""
    home = tmp_path_factory.mktemp("argos")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            patch.setenv(name, str(home / name.lower()))
        patch.setenv("ARGOS_PACKAGES_DIR", str(home / "packages"))
        from argostranslate import settings

        packages = home / "packages"
        packages.mkdir(exist_ok=True)
        patch.setattr(settings, "package_data_dir", packages)
        patch.setattr(settings, "package_dirs", [packages])
        from argostranslate import translate as argos

        argos.get_installed_languages.cache_clear()
        yield home
        # argostranslate keeps the folders it was first imported with for the whole process:
        # leave no model behind for tests that expect none.
        for installed in packages.iterdir():
            shutil.rmtree(installed)
        argos.get_installed_languages.cache_clear()


@pytest.fixture(scope="module")
def es_en(argos_home: Path) -> Path:
    started = time.monotonic()
    package = build_package(argos_home / "work", "es", "en")
    print(f"\ntiny es->en package built in {time.monotonic() - started:.2f} s")
    return package


def test_install_from_file_then_listed(es_en: Path, argos_home: Path) -> None:
    model = translation.install(es_en)
    assert (model.source, model.target, model.version) == ("es", "en", "0.1")
    assert model.path.is_relative_to(argos_home / "packages")
    assert ("es", "en") in [(m.source, m.target) for m in translation.installed()]


async def test_translate_returns_text_labelled_as_machine_translation(es_en: Path) -> None:
    translation.install(es_en)
    started = time.monotonic()
    text = await translation.translate("Necesito ayuda con mi cita de mañana.", "es", "en")
    print(f"\nfirst translation (model load included) in {time.monotonic() - started:.2f} s")
    assert isinstance(text, str) and text.strip()
    shown = await translation.translate_for_inbox("Gracias por favor.", "es", "en")
    assert shown is not None
    assert shown.label == translation.LABEL == "machine translation"
    assert shown.original == "Gracias por favor." and shown.text.strip()
    assert (shown.source, shown.target) == ("es", "en")


async def test_no_model_for_the_pair_means_none(es_en: Path) -> None:
    translation.install(es_en)
    assert await translation.translate("Bonjou", "ht", "es") is None  # no ht model
    assert await translation.translate("Hello", "en", "es") is None  # only es -> en
    assert await translation.translate("Hola", "es", "es") is None  # nothing to translate
    assert await translation.translate("   ", "es", "en") is None
    assert await translation.translate_for_inbox("Bonjou", "ht", "en") is None


def test_cli_install_and_list(
    argos_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = build_package(argos_home / "cli", "ht", "es")
    assert main(["translate", "install", str(package)]) == 0
    assert "installed ht -> es" in capsys.readouterr().out
    assert main(["translate", "list"]) == 0
    assert "ht -> es\t0.1\t" in capsys.readouterr().out


def test_cli_refuses_what_is_not_a_package(
    argos_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_zip = tmp_path / "notes.argosmodel"
    not_zip.write_text("hello")
    assert main(["translate", "install", str(not_zip)]) == 1
    assert "not an .argosmodel package" in capsys.readouterr().err

    no_metadata = tmp_path / "empty.argosmodel"
    with zipfile.ZipFile(no_metadata, "w") as archive:
        archive.writestr("translate-es_pt/README.md", "nothing here")
    assert main(["translate", "install", str(no_metadata)]) == 1
    assert "metadata.json" in capsys.readouterr().err

    no_model = tmp_path / "nomodel.argosmodel"
    with zipfile.ZipFile(no_model, "w") as archive:
        archive.writestr(
            "translate-es_pt/metadata.json", json.dumps({"from_code": "es", "to_code": "pt"})
        )
    assert main(["translate", "install", str(no_model)]) == 1
    assert "no CTranslate2 model" in capsys.readouterr().err
    assert ("es", "pt") not in [(m.source, m.target) for m in translation.installed()]


def test_a_package_without_sentence_splitter_is_installed_with_a_warning(
    argos_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    package = build_package(argos_home / "nosplit", "pt", "es", splitter=False)
    assert translation.read_package(package)["_splitter"] is False
    translation.install(package)
    assert "ships no sentence splitter" in caplog.text
