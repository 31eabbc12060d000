"""`frontdoor i18n extract|update|compile|report`: the translator workflow, wrapping Babel.

Why not plain `pybabel`: our messages live in flows/*.yaml, and `pybabel init/update` cannot
handle languages CLDR does not know (mam, kjb). These commands use Babel's catalog API
directly, so every language, Mayan ones included, goes through the same steps:

    extract   flows/*.yaml -> translations/frontdoor.pot
    update    merge the template into every translations/<lang>/LC_MESSAGES/frontdoor.po
              (new messages empty, changed ones marked fuzzy, fuzzy marks kept)
    compile   .po -> .mo for gettext tools (the bot itself reads the .po files)
    report    per language: messages, reviewed, draft, missing, the SMS cost, and every part
              of its pack (command words, word tables, keywords, training data...)
    new       scaffold a language pack: translations/CODE/pack.yaml and its catalog
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from bot.i18n import DOMAIN, po_path, read_catalog, write_catalog
from bot.i18n.tools.extract import build_template
from bot.i18n.tools.report import build_report
from bot.i18n.tools.scaffold import new_pack
from bot.settings import PROJECT_ROOT

TEMPLATE = f"{DOMAIN}.pot"
_write = write_catalog


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
    for lang, figures in languages.items():
        parts = figures["parts"]
        assert isinstance(parts, dict)
        print(f"\n{lang}: translations/{lang}/ (pack.yaml, LC_MESSAGES/{DOMAIN}.po, nlu.yml)")
        print(f"  {'messages':<28}{figures['reviewed']}/{figures['messages']} reviewed, "
              f"{figures['draft']} draft, {figures['missing']} missing")
        for part, state in parts.items():
            print(f"  {part:<28}{state}")
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
    new = sub.add_parser("new", help="scaffold a language pack: translations/CODE/")
    new.add_argument("code", metavar="CODE", help="ISO 639 code (quc, mam, kjb, ...)")
    new.add_argument("--name", required=True, help="the language's own name")
    new.add_argument("--fallback", default="es", help="shown where a message is missing (es)")
    new.add_argument("--formatting", default="es_MX",
                     help="CLDR locale for dates and numbers (default es_MX; 'none': own names)")
    rep = sub.add_parser("report", help="per language: every part's completeness, SMS cost")
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
    if args.action == "new":
        formatting = None if args.formatting == "none" else args.formatting
        try:
            folder = new_pack(translations, flows, args.code, args.name, args.fallback, formatting)
        except (ValueError, FileExistsError) as exc:
            print(f"frontdoor i18n new: {exc}", file=sys.stderr)
            return 2
        print(f"{folder}/pack.yaml and {folder}/LC_MESSAGES/{DOMAIN}.po written (not enabled).")
        print("Next: fill in pack.yaml and the catalog (docs/translating.md), check "
              "`frontdoor i18n report`, then set `enabled: true`.")
        return 0
    if args.action == "compile":
        return compile_catalogs(translations, args.use_fuzzy)
    return report(flows, translations, args.json)
