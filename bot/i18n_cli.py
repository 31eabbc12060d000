"""`frontdoor i18n extract|update|compile|report`: the translator workflow, wrapping Babel.

Why not plain `pybabel`: our messages live in flows/*.yaml, and `pybabel init/update` cannot
handle languages CLDR does not know (mam, kjb). These commands use Babel's catalog API
directly, so every language, Mayan ones included, goes through the same steps:

    extract   flows/*.yaml -> translations/frontdoor.pot
    update    merge the template into every translations/<lang>/LC_MESSAGES/frontdoor.po
              (new messages empty, changed ones marked fuzzy, fuzzy marks kept)
    compile   .po -> .mo for gettext tools (the bot itself reads the .po files)
    report    per language: messages, reviewed, draft, missing, and the SMS cost
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from bot.i18n import DOMAIN, po_path, read_catalog
from bot.i18n_extract import build_template
from bot.i18n_report import build_report
from bot.settings import PROJECT_ROOT

#: The existing catalogs are wrapped at 100 columns (the project's line length).
WIDTH = 100
TEMPLATE = f"{DOMAIN}.pot"


#: Header lines that say which Babel wrote the file: dropped, so that a catalog (and the
#: test that compares a fresh extract with the committed template) never depends on the
#: version pip happened to install.
_VERSION_HEADERS = (b'"Generated-By: ',)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, sort_output=False, omit_header=False)
    lines = buffer.getvalue().splitlines(keepends=True)
    path.write_bytes(b"".join(x for x in lines if not x.startswith(_VERSION_HEADERS)))


def _language_dirs(translations: Path) -> list[Path]:
    return sorted(p.parent.parent for p in translations.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def extract(flows: Path, translations: Path) -> int:
    template = build_template(flows)
    _write(translations / TEMPLATE, template)
    print(f"{translations / TEMPLATE}: {len(template)} messages")
    return 0


def update(flows: Path, translations: Path, new_language: str | None) -> int:
    template = build_template(flows)
    if new_language:
        path = po_path(translations, new_language)
        if path.exists():
            print(f"{path} exists already; updating it", file=sys.stderr)
        else:
            catalog = Catalog(project="frontdoor", domain=DOMAIN)
            # Babel refuses locales without CLDR data (mam, kjb): keep the code as text.
            catalog.locale = None
            catalog._locale_identifier = new_language
            _write(path, catalog)
    for directory in _language_dirs(translations):
        path = directory / "LC_MESSAGES" / f"{DOMAIN}.po"
        catalog = read_catalog(path)
        catalog.update(template, update_header_comment=False)
        # Babel leaves removed messages as obsolete (#~) entries: a translator cannot act on
        # them, and they would come back as false "fuzzy" matches.
        catalog.obsolete.clear()
        _write(path, catalog)
        fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
        empty = sum(1 for m in catalog if m.id and not m.string)
        print(f"{path}: {len(catalog)} messages, {fuzzy} draft, {empty} untranslated")
    return 0


def compile_catalogs(translations: Path, use_fuzzy: bool) -> int:
    for directory in _language_dirs(translations):
        po = directory / "LC_MESSAGES" / f"{DOMAIN}.po"
        catalog = read_catalog(po)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=use_fuzzy)
        print(f"{mo}")
    return 0


def report(flows: Path, translations: Path, as_json: bool) -> int:
    languages = build_report(flows, translations)
    if as_json:
        print(json.dumps({"languages": languages}, indent=2, ensure_ascii=False))
        return 0
    columns = (
        "messages",
        "reviewed",
        "draft",
        "missing",
        "sms_max_segments",
        "sms_mean_segments",
        "sms_non_gsm",
    )
    print(f"{'lang':<6}" + "".join(f"{c:>19}" for c in columns))
    for lang, figures in languages.items():
        print(f"{lang:<6}" + "".join(f"{figures[c]!s:>19}" for c in columns))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdoor i18n",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--flows", type=Path, default=PROJECT_ROOT / "flows")
    parser.add_argument("--translations", type=Path, default=PROJECT_ROOT / "translations")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("extract", help="write translations/frontdoor.pot from flows/*.yaml")
    upd = sub.add_parser("update", help="merge the template into every language's .po")
    upd.add_argument("--new", metavar="LANG", help="first create a catalog for LANG")
    comp = sub.add_parser("compile", help="write .mo files (the bot reads .po directly)")
    comp.add_argument("--use-fuzzy", action="store_true", help="include draft translations")
    rep = sub.add_parser("report", help="per language: completeness and SMS cost")
    rep.add_argument("--json", action="store_true", help='{"languages": {"es": {...}, ...}}')
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    flows: Path = args.flows
    translations: Path = args.translations
    if args.action == "extract":
        return extract(flows, translations)
    if args.action == "update":
        return update(flows, translations, args.new)
    if args.action == "compile":
        return compile_catalogs(translations, args.use_fuzzy)
    return report(flows, translations, args.json)
