"""Deck templates made hostile in memory, from python-pptx's own template (the product's
default one) with a slide and its notes: external links of every kind in every part a
template carries, DOCTYPE and entity declarations, OLE objects and ActiveX controls."""

from __future__ import annotations

import io
import zipfile

from lxml import etree
from pptx import Presentation

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
NS = {"a": A, "p": P, "r": R}

MASTER = "ppt/slideMasters/slideMaster1.xml"
COVER = "ppt/slideLayouts/slideLayout1.xml"  # title and subtitle
CONTENT = "ppt/slideLayouts/slideLayout2.xml"  # title and content
BARE = "ppt/slideLayouts/slideLayout6.xml"  # title only
NOTES_MASTER = "ppt/notesMasters/notesMaster1.xml"
THEME = "ppt/theme/theme1.xml"
SLIDE = "ppt/slides/slide1.xml"
NOTES = "ppt/notesSlides/notesSlide1.xml"
PRESENTATION = "ppt/presentation.xml"
TASKPANES = "ppt/webextensions/taskpanes.xml"

# What no generated deck may hold, whatever the template held.
TARGETS = (
    b"evil.example",
    b"etc/passwd",
    b"calc.exe",
    b"Auto_Open",
)
# External links in the parts a deck keeps (masters, layouts, notes master, theme, the
# presentation, the package): the count the cleaning reports.
KEPT_LINKS = 8
ACTIONS = 2  # the program run on a click (also an external link) and the macro


def base() -> bytes:
    """python-pptx's template with a slide of its own and the slide's notes."""
    charter = Presentation()
    slide = charter.slides.add_slide(charter.slide_layouts[0])
    slide.shapes.title.text = "Diapositive du modèle"
    slide.notes_slide.notes_text_frame.text = "Notes du modèle"
    out = io.BytesIO()
    charter.save(out)
    return out.getvalue()


class Template:
    """A template's members, edited in place, then zipped again."""

    def __init__(self, blob: bytes | None = None) -> None:
        with zipfile.ZipFile(io.BytesIO(blob or base())) as archive:
            self.members = {i.filename: archive.read(i) for i in archive.infolist()}

    def bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.members.items():
                archive.writestr(name, data)
        return out.getvalue()

    def xml(self, name: str):
        return etree.fromstring(self.members[name])

    def put(self, name: str, root) -> None:
        self.members[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def relate(self, part: str, kind: str, target: str, external: bool = True) -> str:
        """A relationship from `part` ("" for the package); its id."""
        folder, _, file = part.rpartition("/")
        rels = f"{folder}/_rels/{file}.rels" if part else "_rels/.rels"
        root = (
            etree.fromstring(self.members[rels])
            if rels in self.members
            else etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR})
        )
        rid = f"rIdHostile{len(root) + 1}"
        rel = etree.SubElement(root, f"{{{PR}}}Relationship", Id=rid, Type=RT + kind)
        rel.set("Target", target)
        if external:
            rel.set("TargetMode", "External")
        self.put(rels, root)
        return rid

    def link_shape(self, part: str, rid: str, action: str | None = None, index: int = 0):
        """A click on the `index`-th shape of `part` follows relationship `rid`."""
        root = self.xml(part)
        props = root.xpath("//p:spTree/p:sp/p:nvSpPr/p:cNvPr", namespaces=NS)[index]
        link = etree.SubElement(props, f"{{{A}}}hlinkClick")
        link.set(f"{{{R}}}id", rid)
        if action:
            link.set("action", action)
        self.put(part, root)

    def link_text(self, part: str, rid: str) -> None:
        """A run of text in the first paragraph of `part` links to relationship `rid`."""
        root = self.xml(part)
        paragraph = root.xpath("//a:p", namespaces=NS)[0]
        run = etree.Element(f"{{{A}}}r")
        props = etree.SubElement(run, f"{{{A}}}rPr", lang="fr-FR")
        etree.SubElement(props, f"{{{A}}}hlinkClick").set(f"{{{R}}}id", rid)
        etree.SubElement(run, f"{{{A}}}t").text = "Site du Département"
        end = paragraph.find(f"{{{A}}}endParaRPr")
        if end is None:
            paragraph.append(run)
        else:
            end.addprevious(run)
        self.put(part, root)

    def linked_picture(self, part: str, rid: str) -> None:
        """A picture linked, not embedded, on `part`."""
        root = self.xml(part)
        tree = root.find(".//p:spTree", NS)
        tree.append(
            etree.fromstring(
                f'<p:pic xmlns:p="{P}" xmlns:a="{A}" xmlns:r="{R}"><p:nvPicPr>'
                '<p:cNvPr id="90" name="Mouchard"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>'
                f'<p:blipFill><a:blip r:link="{rid}"/><a:stretch><a:fillRect/></a:stretch>'
                '</p:blipFill><p:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="12700" '
                'cy="12700"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
                "</p:spPr></p:pic>"
            )
        )
        self.put(part, root)

    def linked_background(self, part: str, rid: str) -> None:
        """`part`'s background a picture linked, not embedded."""
        root = self.xml(part)
        data = root.find("p:cSld", NS)
        old = data.find("p:bg", NS)
        if old is not None:
            data.remove(old)
        data.insert(
            0,
            etree.fromstring(
                f'<p:bg xmlns:p="{P}" xmlns:a="{A}" xmlns:r="{R}"><p:bgPr><a:blipFill>'
                f'<a:blip r:link="{rid}"/><a:stretch><a:fillRect/></a:stretch></a:blipFill>'
                "<a:effectLst/></p:bgPr></p:bg>"
            ),
        )
        self.put(part, root)

    def declare(self, name: str, declaration: str, encoding: str = "utf-8") -> None:
        """`declaration` (a DOCTYPE) put after the XML declaration of member `name`."""
        text = self.members[name].decode("utf-8")
        head, _, body = text.partition("?>")
        if encoding != "utf-8":
            head = head.replace("UTF-8", encoding.upper()).replace("utf-8", encoding.upper())
        self.members[name] = f"{head}?>\n{declaration}{body}".encode(encoding)

    def add_part(self, name: str, content_type: str, data: bytes) -> None:
        self.members[name] = data
        root = self.xml("[Content_Types].xml")
        etree.SubElement(root, f"{{{CT}}}Override", PartName=f"/{name}", ContentType=content_type)
        self.put("[Content_Types].xml", root)


def with_external_links() -> bytes:
    """External links of every kind, in every part: the deck keeps none of them."""
    t = Template()
    # The slide master: a hyperlink on a shape, a linked background, a program run on click.
    t.link_shape(MASTER, t.relate(MASTER, "hyperlink", "http://evil.example/charte"))
    t.linked_background(MASTER, t.relate(MASTER, "image", r"\\evil.example\partage\fond.png"))
    program = t.relate(MASTER, "hyperlink", "file:///C:/Windows/System32/calc.exe")
    t.link_shape(MASTER, program, "ppaction://program", index=1)
    # The layouts: a tracking picture linked, a macro on click, a jump to the template's slide.
    t.linked_picture(CONTENT, t.relate(CONTENT, "image", "http://evil.example/track.png"))
    t.link_shape(COVER, "", "ppaction://macro?name=Auto_Open")
    jump = t.relate(BARE, "slide", "../slides/slide1.xml", external=False)
    t.link_shape(BARE, jump, "ppaction://hlinksldjump")
    # The notes master: a linked word; the theme, the presentation, the package: bare links.
    t.link_text(NOTES_MASTER, t.relate(NOTES_MASTER, "hyperlink", "file:///etc/passwd"))
    t.relate(THEME, "image", "http://evil.example/theme.png")
    t.relate(PRESENTATION, "hyperlink", "http://evil.example/presentation")
    t.relate("", "hyperlink", "http://evil.example/package")
    # An add-in's task pane, which Office fetches from its store when the file is opened.
    t.add_part(
        TASKPANES,
        "application/vnd.ms-office.webextensiontaskpanes+xml",
        b'<?xml version="1.0"?><wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/'
        b'office/webextensions/taskpanes/2010/11"/>',
    )
    t.relate("", "webextensiontaskpanes", TASKPANES, external=False)
    # The template's own slide and its notes (never carried into the deck).
    t.link_shape(SLIDE, t.relate(SLIDE, "hyperlink", "http://evil.example/diapositive"))
    t.linked_picture(SLIDE, t.relate(SLIDE, "image", "http://evil.example/slide.png"))
    t.relate(NOTES, "hyperlink", "http://evil.example/notes")
    return t.bytes()


ENTITY = '<!DOCTYPE p:sldMaster [<!ENTITY charte SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def with_declaration(member: str, declaration: str = ENTITY, encoding: str = "utf-8") -> bytes:
    t = Template()
    t.declare(member, declaration, encoding)
    return t.bytes()


def with_ole_object() -> bytes:
    """An embedded OLE object on a layout."""
    t = Template()
    name = "ppt/embeddings/oleObject1.bin"
    t.add_part(name, "application/vnd.openxmlformats-officedocument.oleObject", b"\0" * 64)
    t.relate(CONTENT, "oleObject", "../embeddings/oleObject1.bin", external=False)
    return t.bytes()


def with_activex() -> bytes:
    """An ActiveX control on the slide master."""
    t = Template()
    name = "ppt/activeX/activeX1.xml"
    t.add_part(
        name,
        "application/vnd.ms-office.activeX+xml",
        b'<?xml version="1.0"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/'
        b'activeX" ax:classid="{8BD21D10-EC42-11CE-9E0D-00AA006002F3}"/>',
    )
    t.relate(MASTER, "control", "../activeX/activeX1.xml", external=False)
    return t.bytes()


def with_unremovable_link() -> bytes:
    """An external link that the slide master's customer data refers to: removing the link
    would leave the reference dangling, and the element is no link to drop."""
    t = Template()
    rid = t.relate(MASTER, "customXml", "http://evil.example/donnees.xml")
    root = t.xml(MASTER)
    tree = root.find("p:cSld/p:spTree", NS)
    tree.addnext(
        etree.fromstring(f'<p:custDataLst xmlns:p="{P}" xmlns:r="{R}"><p:custData r:id="{rid}"/>'
                         "</p:custDataLst>")
    )  # fmt: skip
    t.put(MASTER, root)
    return t.bytes()


def dangling_references(blob: bytes) -> list[str]:
    """Relationship ids that a part of `blob` refers to and its relationships lack."""
    found = []
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = set(archive.namelist())
        for name in names:
            if not name.endswith(".xml") or "/_rels/" in name or name.startswith("["):
                continue
            folder, _, file = name.rpartition("/")
            rels = f"{folder}/_rels/{file}.rels"
            ids = set()
            if rels in names:
                ids = {r.get("Id") for r in etree.fromstring(archive.read(rels))}
            for element in etree.fromstring(archive.read(name)).iter():
                for attribute, value in element.attrib.items():
                    if attribute.startswith(f"{{{R}}}") and value and value not in ids:
                        found.append(f"{name}: {etree.QName(element).localname} {value}")
    return found
