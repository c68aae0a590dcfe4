"""The deck's template checked and cleaned before python-pptx opens it: nothing in it may
reach whoever opens the generated deck.

A template is a zip of XML parts tied by relationships. It is read within bounds (the caps
of `domain.zip_bounds`, as the import's uploads: size, members, unpacked total, compression
ratio), then:

- refused, with one French message, when any XML part declares a DOCTYPE or an ENTITY
  (never in a file PowerPoint writes; an entity is how an XML file reads another file or
  grows a billion times), when it holds macros (vbaProject), OLE objects or ActiveX
  controls in what the deck keeps, or a link that cannot be removed without breaking it;
- cleaned of what it would carry into the deck: every external relationship
  (`TargetMode="External"`: a hyperlink, a picture linked instead of embedded, a linked
  sound or video, a chart's linked workbook, in the masters, layouts, notes master, theme…)
  is deleted with what refers to it (`a:hlinkClick` and `a:hlinkHover` removed, a picture's
  `r:link` removed, a picture or background left with nothing to show removed), and so are
  click actions that run a macro or a program, and the workbooks embedded in charts. What
  was removed is said (« 3 liens externes retirés du modèle »);
- stripped of its own slides (and their notes), of their thumbnail, of its printer
  settings and add-ins: only the masters, layouts, theme and properties are kept, so
  nothing in the template's example slides reaches the deck, and links to those slides
  from a layout are removed with them.

A template PowerPoint saves as .potx (or .ppsx) is given the content type of a .pptx.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from domain import zip_bounds
from domain.formatting import number
from domain.zip_bounds import ZipCaps, ZipRefused, open_within

MAX_TEMPLATE = 20 * 2**20
MAX_UNPACKED, MAX_PARTS = 150 * 2**20, 3000
CAPS = ZipCaps(
    members=MAX_PARTS,
    directory_bytes=2**20,  # 3 000 members at about 300 bytes each
    unpacked_bytes=MAX_UNPACKED,
    ratio=200.0,
    ratio_min_member_bytes=2**20,
)

SAVE_AS = (
    "ouvrez la charte dans PowerPoint, enregistrez-la au format « Présentation PowerPoint "
    "(.pptx) » ou « Modèle PowerPoint (.potx) », puis déposez ce fichier."
)
NOT_PPTX = f"Ce fichier n'est pas une présentation PowerPoint : {SAVE_AS}"
UNREADABLE = (
    "Ce modèle n'a pas pu être lu comme une présentation PowerPoint (fichier abîmé ou "
    f"incomplet) : {SAVE_AS}"
)
MACROS = (
    "Ce modèle contient des macros (.pptm ou .potm) : enregistrez-le au format "
    "« Présentation PowerPoint (.pptx) » ou « Modèle PowerPoint (.potx) »."
)
DOCTYPE = (
    "Ce modèle a été refusé par sécurité : un de ses éléments contient une déclaration "
    "DOCTYPE ou ENTITY, ce qu'un fichier enregistré par PowerPoint ne contient jamais ; "
    f"{SAVE_AS}"
)
EMBEDDED = (
    "Ce modèle contient des objets incorporés (OLE) ou des contrôles ActiveX dans son masque "
    "ou ses dispositions : supprimez-les dans PowerPoint (Affichage > Masque des "
    "diapositives), puis enregistrez le modèle et déposez-le de nouveau."
)
PROTECTED = (
    "Ce modèle est protégé par un mot de passe : enregistrez-le sans mot de passe, puis "
    "déposez-le de nouveau."
)


def _unremovable(what: str) -> str:
    return (
        f"Ce modèle contient un lien externe (élément « {what} ») qui ne peut pas être retiré "
        "sans abîmer le diaporama : supprimez les liens, images liées et objets liés du "
        "masque des diapositives dans PowerPoint (Affichage > Masque des diapositives), puis "
        "enregistrez le modèle et déposez-le de nouveau."
    )


class TemplateError(ValueError):
    """A French message saying what to fix in the template given."""


@dataclass(frozen=True)
class CleanTemplate:
    """The template's bytes, safe for python-pptx and for the deck's readers, and what was
    removed from it (French sentences, none when nothing was)."""

    blob: bytes
    removed: tuple[str, ...] = ()


_MAIN = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
_OTHER_MAINS = (  # a template (.potx) or a slide show (.ppsx) opens as a presentation
    b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    b"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
)

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"

# Relationship types (their last segment) whose target the deck never carries: the
# template's slides, its printer settings (a printer's, not the deck's), the picture of its
# first slide, and its add-ins (fetched from a store when the file is opened).
_DROPPED = {
    "slide",
    "notesSlide",
    "printerSettings",
    "thumbnail",
    "webextension",
    "webextensiontaskpanes",
}
_MACRO_RELS = {"vbaProject", "vbaProjectSignature", "attachedToolbars", "keyMapCustomizations"}
_EMBEDDED_RELS = {"oleObject", "control", "activeXControl", "activeXControlBinary"}
_MACRO_TYPES = ("macroenabled", "vbaproject")  # in a content type
_EMBEDDED_TYPES = ("oleobject", "activex")
_UNPARSED_TYPES = ("image/", "audio/", "video/", "application/x-font", "application/x-fontdata")
_UNPARSED_TYPES += ("application/vnd.openxmlformats-officedocument.obfuscatedFont",)
_HYPERLINKS = {f"{{{A}}}hlinkClick", f"{{{A}}}hlinkHover", f"{{{A}}}hlinkMouseOver"}
_MEDIA = {
    f"{{{A}}}audioFile",
    f"{{{A}}}videoFile",
    f"{{{A}}}quickTimeFile",
    f"{{{A}}}snd",
    f"{{{P14}}}media",
    f"{{{C}}}externalData",
}
_HOSTILE_ACTIONS = ("ppaction://macro", "ppaction://program", "ppaction://ole")


def _declaration(word: bytes) -> bytes:
    """A pattern for "<!word" in UTF-8 and in UTF-16 (either byte order), any case."""
    utf8 = re.escape(b"<!" + word)
    le = b"".join(re.escape(bytes([c])) + b"\\x00" for c in b"<!" + word)
    be = b"".join(b"\\x00" + re.escape(bytes([c])) for c in b"<!" + word)
    return b"|".join((utf8, le, be))


_DECLARATION = re.compile(
    b"|".join((_declaration(b"doctype"), _declaration(b"entity"))), re.IGNORECASE
)
_PARSER = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def clean_template(template: bytes) -> CleanTemplate:
    """`template` (a .pptx or .potx) checked and cleaned; `TemplateError` with a French
    message when it is not a presentation, too large, hostile, or cannot be cleaned."""
    if len(template) > MAX_TEMPLATE:
        raise TemplateError(
            f"Ce modèle pèse {number(len(template) / 2**20, 1)} Mo, plus que les 20 Mo "
            "acceptés : allégez-le (images compressées, diapositives d'exemple supprimées) "
            "puis déposez-le de nouveau."
        )
    try:
        archive = open_within(template, CAPS)
    except ZipRefused as refused:
        raise TemplateError(_refusal(refused)) from None
    with archive:
        names = {i.filename for i in archive.infolist()}
        if "word/document.xml" in names:
            raise TemplateError(f"Ce fichier est un document Word, pas un modèle : {SAVE_AS}")
        if "xl/workbook.xml" in names:
            raise TemplateError(f"Ce fichier est un classeur Excel, pas un modèle : {SAVE_AS}")
        if "ppt/presentation.xml" not in names or "[Content_Types].xml" not in names:
            raise TemplateError(NOT_PPTX)
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise TemplateError(MACROS)
        try:
            return _Cleaning(archive).run()
        except TemplateError:
            raise
        except Exception as exc:  # a damaged member, an unknown compression, bad XML…
            raise TemplateError(UNREADABLE) from exc


def _refusal(refused: ZipRefused) -> str:
    if refused.why == zip_bounds.CORRUPT:
        return NOT_PPTX
    if refused.why == zip_bounds.ENCRYPTED:
        return PROTECTED
    if refused.why == zip_bounds.RATIO:
        return f"Ce modèle a été refusé par sécurité (taux de compression anormal) : {SAVE_AS}"
    return (
        "Ce modèle est anormalement volumineux une fois décompressé (plus de 150 Mo ou de "
        f"3 000 éléments) : {SAVE_AS}"
    )


def _parse(blob: bytes):
    """The XML of a part, read without entities, DTD or network; TemplateError for one
    declaring a DOCTYPE."""
    root = etree.fromstring(blob, etree.XMLParser(**_PARSER))
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise TemplateError(DOCTYPE)
    return root


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_name(part: str) -> str:
    """The member holding the relationships of `part` ("" for the package itself)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _last(rel_type: str) -> str:
    return rel_type.rsplit("/", 1)[-1]


class _Cleaning:
    """One template's cleaning: its parts read once, what to keep found by following the
    relationships from the package (the template's slides left out), then cleaned."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.infos = archive.infolist()
        self.names = {i.filename: i for i in self.infos}
        self.lower = {n.lower(): n for n in self.names}
        self.changed: dict[str, bytes] = {}  # member -> new content
        self.links = 0  # external relationships removed
        self.actions = 0  # click actions running a macro or a program removed

    def run(self) -> CleanTemplate:
        types = self.archive.read("[Content_Types].xml")
        self.defaults, self.overrides = self._content_types(_parse(types))
        kept = self._kept()
        kept_names = set(kept)
        for info in self.infos:
            self._refuse_declarations(info, info.filename in kept_names)
        for part in kept:
            self._refuse_macros_and_objects(part)
        self._clean_package()
        for part in kept:
            if self._is_xml(part):
                self._clean(part)
        if any(t in types for t in _OTHER_MAINS):
            for other in _OTHER_MAINS:
                types = types.replace(other, _MAIN)
            self.changed["[Content_Types].xml"] = types
        keep = {"[Content_Types].xml", "_rels/.rels", *kept}
        keep |= {_rels_name(p) for p in kept if _rels_name(p) in self.names}
        return CleanTemplate(self._zip(keep), self._removed())

    # --- reading -----------------------------------------------------------------------

    def _content_types(self, root) -> tuple[dict[str, str], dict[str, str]]:
        defaults = {
            e.get("Extension", "").lower(): e.get("ContentType", "")
            for e in root.iter(f"{{{CT}}}Default")
        }
        overrides = {
            e.get("PartName", "").lstrip("/").lower(): e.get("ContentType", "")
            for e in root.iter(f"{{{CT}}}Override")
        }
        return defaults, overrides

    def _type(self, member: str) -> str:
        found = self.overrides.get(member.lower())
        if found is None:
            found = self.defaults.get(posixpath.splitext(member)[1].lstrip(".").lower(), "")
        return found

    def _is_xml(self, member: str) -> bool:
        kind = self._type(member).lower()
        return kind.endswith("xml") or member.lower().endswith((".xml", ".rels"))

    def _refuse_declarations(self, info: zipfile.ZipInfo, kept: bool) -> None:
        """No DOCTYPE or ENTITY declaration, in whatever encoding, in any XML member, nor
        in any other member the deck keeps (pictures, sounds and fonts aside); the XML
        members kept are parsed as well. Printer settings, which PowerPoint for Mac writes
        as a property list with its DOCTYPE, are never kept."""
        name = info.filename
        xml = self._is_xml(name)
        if info.is_dir() or not (xml or kept) or self._type(name).startswith(_UNPARSED_TYPES):
            return
        blob = self.archive.read(info)
        if _DECLARATION.search(blob):
            raise TemplateError(DOCTYPE)
        if xml and kept:
            _parse(blob)

    def _member(self, part: str) -> str | None:
        for name in (part, unquote(part)):
            if name in self.names:
                return name
            if name.lower() in self.lower:
                return self.lower[name.lower()]
        return None

    def _rels(self, part: str):
        """The relationships element of `part` ("" for the package), empty without any."""
        name = _rels_name(part) if part else "_rels/.rels"
        if name not in self.names:
            return etree.Element(f"{{{PR}}}Relationships")
        return _parse(self.changed.get(name) or self.archive.read(name))

    def _target(self, part: str, rel) -> str | None:
        """The member a relationship points to (None: external, or missing)."""
        if rel.get("TargetMode") == "External":
            return None
        target = rel.get("Target", "")
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.join(posixpath.dirname(part), target)
        )
        return self._member(posixpath.normpath(path))

    def _kept(self) -> list[str]:
        """The parts the deck keeps, in the archive's order: everything reachable from the
        package through internal relationships, except the template's slides."""
        seen: set[str] = set()
        todo = [""]
        while todo:
            part = todo.pop()
            rels = self._rels(part)
            for rel in rels:
                if _last(rel.get("Type", "")) in _DROPPED:
                    continue
                target = self._target(part, rel)
                if target is not None and target not in seen:
                    seen.add(target)
                    todo.append(target)
        return [i.filename for i in self.infos if i.filename in seen]

    def _refuse_macros_and_objects(self, part: str) -> None:
        rels = self._rels(part)
        kinds = {_last(r.get("Type", "")) for r in rels}
        content = self._type(part).lower()
        if kinds & _MACRO_RELS or any(t in content for t in _MACRO_TYPES):
            raise TemplateError(MACROS)
        if kinds & _EMBEDDED_RELS or any(t in content for t in _EMBEDDED_TYPES):
            raise TemplateError(EMBEDDED)

    # --- cleaning ----------------------------------------------------------------------

    def _clean(self, part: str) -> None:
        """`part` without its external links, links to the template's slides, embedded
        packages and hostile click actions, and without what refers to them."""
        rels = self._rels(part)
        gone: dict[str, bool] = {}  # relationship id -> external
        for rel in list(rels):
            kind = _last(rel.get("Type", ""))
            external = rel.get("TargetMode") == "External"
            if external or kind in _DROPPED or kind == "package":
                gone[rel.get("Id", "")] = external
                rels.remove(rel)
        root = _parse(self.archive.read(part))
        touched = self._actions(root)
        if part == "ppt/presentation.xml":
            touched |= self._no_slides(root)
        if gone:
            self._unrefer(root, gone)
            self.links += sum(gone.values())
            self.changed[_rels_name(part)] = _xml(rels)
        if gone or touched:
            self.changed[part] = _xml(root)

    def _clean_package(self) -> None:
        """The package's own external links removed (no part refers to them)."""
        rels = self._rels("")
        gone = [r for r in rels if r.get("TargetMode") == "External"]
        for rel in gone:
            rels.remove(rel)
        if gone:
            self.links += len(gone)
            self.changed["_rels/.rels"] = _xml(rels)

    def _actions(self, root) -> bool:
        """Click actions that run a macro, a program or an object, removed."""
        found = [
            e
            for e in root.iter(*_HYPERLINKS)
            if e.get("action", "").lower().startswith(_HOSTILE_ACTIONS)
        ]
        for element in found:
            element.getparent().remove(element)
        self.actions += len(found)
        return bool(found)

    def _no_slides(self, root) -> bool:
        """The presentation's list of slides emptied, with its sections and custom shows."""
        found = [*root.iter(f"{{{P}}}sldId"), *root.iter(f"{{{P}}}custShowLst")]
        found += [e for e in root.iter() if str(e.tag).endswith("}sectionLst")]
        for element in found:
            _remove(element)
        return bool(found)

    def _unrefer(self, root, gone: dict[str, bool]) -> None:
        """Every element referring to a removed relationship, cleaned or removed; a
        reference that cannot go without breaking the part refuses the template."""
        pictures = []
        for element in list(root.iter()):
            if not isinstance(element.tag, str):
                continue
            refs = [name for name, value in element.attrib.items() if value in gone]
            if not refs or _detached(element, root):
                continue
            if element.tag in _HYPERLINKS or element.tag in _MEDIA:
                _remove(element)
            elif element.tag == f"{{{A}}}blip":
                for name in refs:
                    del element.attrib[name]
                if element.get(f"{{{R}}}embed") is None:
                    pictures.append(element)
            elif element.tag == f"{{{P}}}snd":  # a transition's sound
                action = _ancestor(element, f"{{{P}}}sndAc")
                _remove(element if action is None else action)
            elif element.tag == f"{{{P}}}oleObj":
                raise TemplateError(EMBEDDED)
            else:
                raise TemplateError(_unremovable(etree.QName(element).localname))
        for blip in pictures:
            if not _detached(blip, root):
                _without_picture(blip)

    # --- writing -----------------------------------------------------------------------

    def _zip(self, keep: set[str]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
            for info in self.infos:
                if info.filename in keep:
                    data = self.changed.get(info.filename)
                    copy.writestr(info.filename, self.archive.read(info) if data is None else data)
        return out.getvalue()

    def _removed(self) -> tuple[str, ...]:
        said = []
        if self.links:
            s = "" if self.links == 1 else "s"
            said.append(f"{self.links} lien{s} externe{s} retiré{s} du modèle")
        if self.actions:
            s = "" if self.actions == 1 else "s"
            said.append(f"{self.actions} action{s} au clic (macro, programme) retirée{s} du modèle")
        return tuple(said)


def _ancestor(element, tag: str):
    for parent in element.iterancestors(tag):
        return parent
    return None


def _without_picture(blip) -> None:
    """What showed a picture left with nothing to show: a picture shape, a background or a
    picture bullet removed; a picture fill made no fill."""
    for holder in (f"{{{P}}}pic", f"{{{P}}}bg", f"{{{A}}}buBlip"):
        found = _ancestor(blip, holder)
        if found is not None:
            _remove(found)
            return
    fill = blip.getparent()
    if fill is not None and fill.tag == f"{{{A}}}blipFill":
        fill.addprevious(etree.Element(f"{{{A}}}noFill"))
        _remove(fill)


def _detached(element, root) -> bool:
    """Whether `element` was removed from `root` with one of its ancestors."""
    return element is not root and element.getroottree().getroot() is not root


def _remove(element) -> None:
    """`element` removed, then its extension (`ext`) and extension list if left empty."""
    parent = element.getparent()
    if parent is None:
        return
    parent.remove(element)
    while parent is not None and etree.QName(parent).localname in ("ext", "extLst"):
        if len(parent):
            break
        grand = parent.getparent()
        if grand is None:
            break
        grand.remove(parent)
        parent = grand
