"""The loader refuses every broken flow with the file, the step and the cause named.

Each file in broken_flows/ is dropped into a copy of the real flows folder; its first line
says the error it must produce.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine.loader import FlowError, load_flows
from bot.i18n import Catalogs
from bot.settings import PROJECT_ROOT

BROKEN = sorted((Path(__file__).parent / "broken_flows").glob("*.yaml"))
FLOWS = PROJECT_ROOT / "flows"


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load(PROJECT_ROOT / "translations")


def expected_error(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# error: "), f"{path.name} must start with '# error: ...'"
    return first.removeprefix("# error: ")


def test_the_real_flows_load(catalogs: Catalogs) -> None:
    flowset = load_flows(FLOWS, catalogs)
    assert {"welcome", "menu", "language", "privacy", "register", "request", "status"} <= set(
        flowset.flows
    )


@pytest.mark.parametrize("broken", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_flow_is_refused_with_file_step_and_cause(
    broken: Path, tmp_path: Path, catalogs: Catalogs
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    target = flows / f"zz_{broken.name}"
    shutil.copy(broken, target)
    with pytest.raises(FlowError) as excinfo:
        load_flows(flows, catalogs)
    message = str(excinfo.value)
    assert message.startswith(str(target)), message
    assert expected_error(broken) in message


def test_missing_engine_message_is_named(tmp_path: Path, catalogs: Catalogs) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    text = (flows / "messages.yaml").read_text(encoding="utf-8")
    (flows / "messages.yaml").write_text(
        "\n".join(line for line in text.splitlines() if "too_long" not in line), encoding="utf-8"
    )
    with pytest.raises(
        FlowError, match=r"messages.yaml: required messages missing: \['too_long'\]"
    ):
        load_flows(flows, catalogs)


def test_message_missing_from_spanish_catalog_is_named(tmp_path: Path) -> None:
    translations = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "translations", translations)
    es = translations / "es" / "LC_MESSAGES" / "frontdoor.po"
    text = es.read_text(encoding="utf-8")
    es.write_text(text.replace('msgstr "Idioma cambiado."', 'msgstr ""'), encoding="utf-8")
    with pytest.raises(FlowError) as excinfo:
        load_flows(FLOWS, Catalogs.load(translations))
    assert "language.yaml: step 'changed': message missing from the 'es' catalog" in str(
        excinfo.value
    )


def test_the_fast_yaml_loader_reads_every_flow_as_the_pure_python_one() -> None:
    """Start-up reads flows with libyaml (`FAST_SAFE_LOADER`); PyYAML's pure-Python safe
    loader is the oracle."""
    import yaml

    from bot.engine.loader import FAST_SAFE_LOADER

    assert FAST_SAFE_LOADER is not yaml.SafeLoader, "PyYAML without libyaml: start-up is slower"
    files = sorted(FLOWS.glob("*.yaml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = yaml.load(text, Loader=FAST_SAFE_LOADER)
        assert fast == yaml.safe_load(text), path.name
