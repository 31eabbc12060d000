"""`frontdoor i18n extract|update|compile|report` on a copy of the real flows and catalogs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.i18n import po_path, read_catalog
from bot.settings import PROJECT_ROOT

NEW_MESSAGE = "Bring {count} printed copies of every passport."


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "flows", tmp_path / "flows")
    shutil.copytree(
        PROJECT_ROOT / "translations",
        tmp_path / "translations",
        ignore=shutil.ignore_patterns("*.mo"),
    )
    return tmp_path


def _run(tree: Path, *args: str) -> int:
    return main(
        [
            "i18n",
            "--flows",
            str(tree / "flows"),
            "--translations",
            str(tree / "translations"),
            *args,
        ]
    )


def test_report_json_meets_the_must_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["i18n", "report", "--json"]) == 0
    languages = json.loads(capsys.readouterr().out)["languages"]
    for lang in ("es", "ht", "pt", "en"):
        figures = languages[lang]
        assert figures["missing"] == 0 and figures["draft"] == 0, lang
        assert figures["sms_non_gsm"] == 0 and figures["sms_max_segments"] <= 3, lang
        assert figures["reviewed"] == figures["messages"], lang
        assert 1 <= figures["sms_mean_segments"] < 1.2, lang
    for lang in ("quc", "mam", "kjb"):
        assert languages[lang]["draft"] >= 4 and languages[lang]["reviewed"] == 0
    assert set(languages["es"]) == {
        "messages", "reviewed", "draft", "missing",
        "sms_max_segments", "sms_mean_segments", "sms_non_gsm", "parts",
    }  # fmt: skip


def test_report_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["i18n", "report"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["lang", "messages", "reviewed"]
    assert any(line.startswith("kjb") for line in out.splitlines())


def test_extract_is_stable(tree: Path) -> None:
    """Extracting from unchanged flows gives the committed template (bar the date)."""
    assert _run(tree, "extract") == 0

    def body(p: Path) -> list[str]:
        return [x for x in p.read_text().splitlines() if "POT-Creation-Date" not in x]

    assert body(tree / "translations" / "frontdoor.pot") == body(
        PROJECT_ROOT / "translations" / "frontdoor.pot"
    )


def test_catalogs_do_not_name_the_babel_version(tree: Path) -> None:
    """A header that names Babel's version makes the committed files differ from a fresh
    extract on any machine whose pip picked another Babel (it made `main` red once)."""
    assert _run(tree, "extract") == 0 and _run(tree, "update") == 0
    def catalogs(root: Path) -> list[Path]:
        pattern = "translations/*/LC_MESSAGES/*.po"
        return [root / "translations" / "frontdoor.pot", *root.glob(pattern)]

    written, committed = catalogs(tree), catalogs(PROJECT_ROOT)
    assert len(written) == len(committed) >= 8
    for path in written + committed:
        assert "Generated-By" not in path.read_text(encoding="utf-8"), path


def test_update_adds_new_messages_and_keeps_drafts(tree: Path) -> None:
    status = tree / "flows" / "status.yaml"
    status.write_text(
        status.read_text().replace(
            "  unavailable:\n    say:",
            f'  household:\n    say: "{NEW_MESSAGE}"\n    next: home\n  unavailable:\n    say:',
        )
    )
    # A message that only status.yaml says (a message shared by two flows stays in use).
    changed = "I cannot see your status right now. Please try again in a few minutes."
    status.write_text(status.read_text().replace(changed, changed.replace("now.", "now!")))
    assert _run(tree, "extract") == 0
    assert _run(tree, "update") == 0
    es = read_catalog(po_path(tree / "translations", "es"))
    assert es[NEW_MESSAGE] is not None and not es[NEW_MESSAGE].string
    # A changed source keeps its old translation as a draft for the translator to check.
    edited = es[changed.replace("now.", "now!")]
    assert edited is not None and edited.fuzzy and str(edited.string).startswith("No puedo")
    assert es[changed] is None  # no obsolete entries left behind
    mam = read_catalog(po_path(tree / "translations", "mam"))
    assert mam["Yes"] is not None and mam["Yes"].fuzzy and mam["Yes"].string
    assert po_path(tree / "translations", "mam").read_text().count("Language: mam") == 1


def test_update_new_language_without_cldr_data(tree: Path) -> None:
    assert _run(tree, "update", "--new", "kek") == 0
    kek = read_catalog(po_path(tree / "translations", "kek"))
    assert len([m for m in kek if m.id]) == len(
        [m for m in read_catalog(po_path(tree / "translations", "es")) if m.id]
    )
    assert "Language: kek" in po_path(tree / "translations", "kek").read_text()


def test_compile_writes_mo_files(tree: Path) -> None:
    import gettext

    assert _run(tree, "compile") == 0
    mo = po_path(tree / "translations", "ht").with_suffix(".mo")
    with mo.open("rb") as fh:
        ht = gettext.GNUTranslations(fh)
    assert ht.gettext("Yes") == "Wi"
    with po_path(tree / "translations", "mam").with_suffix(".mo").open("rb") as fh:
        mam = gettext.GNUTranslations(fh)
    assert mam.gettext("Yes") == "Yes"  # drafts are left out unless --use-fuzzy


#: Every part a pack has, as `frontdoor i18n report` lists it (issue 15, must-show 4).
PARTS = {
    "status", "own name", "fallback", "formatting locale", "sms policy", "command words",
    "stop/start words", "list conjunction", "month/weekday names", "country names",
    "port aliases", "identification keywords", "yes/no words", "thanks", "numbers and ordinals",
    "months, weekdays, days", "demonyms and country names", "relationships",
    "names (lead-ins, endings)", "negation", "danger words", "training data", "start-up check",
}  # fmt: skip


def test_report_lists_every_part_of_every_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["i18n", "report", "--json"]) == 0
    languages = json.loads(capsys.readouterr().out)["languages"]
    assert set(languages) == {"es", "ht", "pt", "en", "quc", "mam", "kjb"}
    for lang, figures in languages.items():
        assert set(figures["parts"]) == PARTS, lang
        assert figures["parts"]["start-up check"] == "ok", lang
    assert languages["ht"]["parts"]["month/weekday names"] == "own (12/12, 7/7)"
    assert languages["es"]["parts"]["command words"] == "8/8"
    assert languages["es"]["parts"]["training data"].endswith("intents")
    quc = languages["quc"]["parts"]
    assert quc["command words"] == "8/8 (draft)" and quc["yes/no words"] == "borrowed from es"
    assert quc["training data"] == "none: text it cannot read goes to an interpreter"
    assert main(["i18n", "report"]) == 0
    text = capsys.readouterr().out
    for lang in languages:
        assert f"\n{lang}: translations/{lang}/" in text
    assert "  identification keywords" in text


def test_new_scaffolds_a_pack_that_is_reported_and_refused_until_complete(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.languages import use_packs
    from nlu.packs import PackError

    assert _run(tree, "new", "ixl", "--name", "Ixil", "--fallback", "es") == 0
    folder = tree / "translations" / "ixl"
    catalog = read_catalog(folder / "LC_MESSAGES" / "frontdoor.po")
    template = read_catalog(tree / "translations" / "frontdoor.pot")
    assert {m.id for m in catalog if m.id} == {m.id for m in template if m.id}
    assert all(not m.string for m in catalog if m.id)
    capsys.readouterr()
    assert _run(tree, "report", "--json") == 0
    parts = json.loads(capsys.readouterr().out)["languages"]["ixl"]["parts"]
    assert parts["status"] == "draft, not enabled"
    assert parts["command words"].startswith("0/8 (draft), missing menu, back, help")
    use_packs(tree / "translations")  # not enabled: start-up goes on
    pack = folder / "pack.yaml"
    pack.write_text(pack.read_text().replace("enabled: false", "enabled: true"))
    with pytest.raises(PackError, match=r"ixl/pack.yaml: commands.stop: missing"):
        use_packs(tree / "translations")
    assert _run(tree, "new", "ixl", "--name", "Ixil") == 2  # exists already
    assert _run(tree, "new", "Ixil!", "--name", "Ixil") == 2  # not a code
