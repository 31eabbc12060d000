"""Without the optional `translate` extra (the default install): the staff inbox shows the
original text only, and `frontdoor translate` says in one line how to get machine translation."""

from __future__ import annotations

import sys

import pytest

from bot import translation
from bot.cli import main


@pytest.fixture(autouse=True)
def without_argostranslate(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a default install, also where the extra happens to be installed: a None entry in
    sys.modules makes importing it fail and find_spec answer None."""
    for name in ("argostranslate", "argostranslate.translate", "argostranslate.package"):
        monkeypatch.setitem(sys.modules, name, None)


async def test_nothing_is_translated_without_the_extra() -> None:
    assert not translation.is_available()
    assert await translation.translate("Necesito ayuda", "es", "en") is None
    assert await translation.translate_for_inbox("Necesito ayuda", "es", "en") is None


@pytest.mark.parametrize("args", [["list"], ["install", "model.argosmodel"]])
def test_cli_says_how_to_install_it(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["translate", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "translate" in err[0] and "pip install" in err[0], err
