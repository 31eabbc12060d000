"""Message catalogs: gettext .po files read with Babel, one per language pack.

Catalogs are read straight from the .po files at start-up (no compile step a translator could
forget): `translations/<lang>/LC_MESSAGES/frontdoor.po`. A fuzzy (draft) entry is used only if
the language allows drafts (a per-deployment setting, off by default); otherwise the message
falls back along the language's chain, and the caller is told that a fallback happened (so it
can offer an interpreter).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.languages import BY_CODE, fallback_chain, use_packs

DOMAIN = "frontdoor"


@dataclass(frozen=True, slots=True)
class Translation:
    text: str
    lang: str

    def is_fallback_for(self, wanted: str) -> bool:
        return self.lang != wanted


def po_path(translations_dir: Path, lang: str) -> Path:
    return translations_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


#: The catalogs are wrapped at 100 columns (the project's line length).
WIDTH = 100
#: Header lines that say which Babel wrote the file: dropped, so that a catalog (and the test
#: that compares a fresh extract with the committed template) never depends on the version pip
#: happened to install.
_VERSION_HEADERS = (b'"Generated-By: ',)


def write_catalog(path: Path, catalog: Catalog) -> None:
    """Write a .po file the way every tool of the project writes it (stable diffs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, sort_output=False, omit_header=False)
    lines = buffer.getvalue().splitlines(keepends=True)
    path.write_bytes(b"".join(x for x in lines if not x.startswith(_VERSION_HEADERS)))


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as fh:
        # Babel cannot parse locales it has no CLDR data for (mam, kjb): read with no
        # locale; the directory name is the language.
        return read_po(fh, locale=None, domain=DOMAIN)


class Catalogs:
    """All languages' catalogs, keyed by catalog code; lookups never raise."""

    def __init__(
        self,
        catalogs: dict[str, Catalog],
        show_drafts: Iterable[str] = (),
        directory: Path | None = None,
    ) -> None:
        self._catalogs = catalogs
        #: Where the .po files are (a reviewed message is written back there).
        self.directory = directory
        self._show_drafts = frozenset(show_drafts)
        # Catalogs do not change after loading; every reply looks up several messages.
        self._lookups: dict[tuple[str, str], Translation] = {}

    @classmethod
    def load(cls, translations_dir: Path, show_drafts: Iterable[str] = ()) -> Catalogs:
        """`show_drafts`: languages whose fuzzy entries may be shown (besides the packs').
        The language packs of `translations_dir` are read and checked first (PackError)."""
        use_packs(translations_dir)
        catalogs: dict[str, Catalog] = {}
        for po in sorted(translations_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            catalogs[po.parent.parent.name] = read_catalog(po)
        return cls(catalogs, show_drafts, translations_dir)

    @property
    def languages(self) -> list[str]:
        return sorted(self._catalogs)

    def catalog(self, lang: str) -> Catalog | None:
        return self._catalogs.get(lang)

    def shows_drafts(self, lang: str) -> bool:
        return lang in self._show_drafts or (lang in BY_CODE and BY_CODE[lang].show_drafts)

    def has(self, lang: str, msgid: str, *, reviewed_only: bool = True) -> bool:
        catalog = self._catalogs.get(lang)
        if catalog is None:
            return False
        message = catalog.get(msgid)
        if message is None or not message.string:
            return False
        return not (reviewed_only and message.fuzzy)

    def lookup(self, lang: str, msgid: str) -> Translation:
        """The best text for `msgid` in `lang`, following the fallback chain, else English."""
        found = self._lookups.get((lang, msgid))
        if found is None:
            found = self._lookups[(lang, msgid)] = self._find(lang, msgid)
        return found

    def _find(self, lang: str, msgid: str) -> Translation:
        for code in fallback_chain(lang):
            if self.has(code, msgid, reviewed_only=not self.shows_drafts(code)):
                message = self._catalogs[code].get(msgid)
                assert message is not None
                return Translation(str(message.string), code)
        return Translation(msgid, "en")

    def gettext(self, lang: str, msgid: str) -> str:
        return self.lookup(lang, msgid).text

    def review(self, lang: str, msgid: str, text: str, note: str) -> None:
        """A message reviewed by a person who speaks `lang` (the staff portal): its text, no
        longer a draft, written to the .po file with `note` (who and when) as a translator
        comment, and shown from now on in this process."""
        catalog = self._catalogs.get(lang)
        if catalog is None or self.directory is None:
            raise KeyError(lang)
        message = catalog.get(msgid)
        if message is None:
            message = catalog.add(msgid)
        message.string = text
        message.flags.discard("fuzzy")
        message.user_comments = [c for c in message.user_comments
                                 if not c.startswith("reviewed by ")] + [note]
        write_catalog(po_path(self.directory, lang), catalog)
        # Every language whose chain passes through `lang` may now show this text.
        self._lookups = {k: v for k, v in self._lookups.items() if k[1] != msgid}

    def reviewed_note(self, lang: str, msgid: str) -> str | None:
        """The "reviewed by ..." comment of a message reviewed in the portal, if any."""
        catalog = self._catalogs.get(lang)
        message = catalog.get(msgid) if catalog is not None else None
        if message is None:
            return None
        return next((c for c in message.user_comments if c.startswith("reviewed by ")), None)
