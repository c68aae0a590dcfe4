"""What a page would render as Markdown or HTML, read from an AppTest run.

Streamlit renders Markdown (and some HTML, LaTeX and its own `:color[…]` directives) in
message bodies, headings, captions, widget labels and help, expander and tab labels, radio
and pill options; Plotly renders a subset of HTML (`<a href>`, `<b>`, `<img>` is dropped but
`<a>` is a live link) in every text of a chart. Select box and multiselect options, table
cells and headers are shown as plain text. `rendered_texts` walks the element tree and
returns, for each element, the strings in each of these three kinds, so a test can check
that a string that came from a file is never interpreted — and is shown as it is where text
is plain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from google.protobuf.json_format import MessageToDict
from markdown_it import MarkdownIt

MARKDOWN_FIELDS = {"body", "label", "help", "message", "captions", "placeholder"}
MARKDOWN_OPTIONS = {"radio", "button_group"}  # options rendered as Markdown
PLAIN_OPTIONS = {"selectbox", "multiselect", "select_slider"}
TABLES = {"dataframe", "arrow_data_frame", "table"}  # cells and headers: plain text
NOT_MARKDOWN = {"code", "text", "json"}
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class Shown:
    kind: str  # "markdown", "plain" or "chart"
    element: str  # the element's type, e.g. "error", "selectbox", "plotly_chart"
    text: str


def _strings(value) -> Iterator[tuple[str, str]]:
    """(key, string) for every string in a proto's dict, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            for inner_key, text in _strings(item):
                yield (inner_key or key), text
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield "", value


def _table_strings(frame) -> Iterator[str]:
    yield from (str(c) for c in frame.columns)
    for column in frame.columns:
        yield from (v for v in frame[column].tolist() if isinstance(v, str))


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def rendered_texts(at) -> list[Shown]:
    shown: list[Shown] = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None or not hasattr(proto, "DESCRIPTOR") or kind in NOT_MARKDOWN:
            continue
        if kind in TABLES:
            shown += [Shown("plain", kind, text) for text in _table_strings(node.value)]
            continue
        fields = MessageToDict(proto, preserving_proto_field_name=True)
        if kind == "plotly_chart":
            spec = json.loads(fields.get("spec") or "{}")
            shown += [Shown("chart", kind, text) for _, text in _strings(spec.get("data"))]
            shown += [Shown("chart", kind, text) for _, text in _strings(spec.get("layout"))]
            continue
        for key, text in _strings(fields):
            markdown_option = key in ("options", "content") and kind in MARKDOWN_OPTIONS
            if key in MARKDOWN_FIELDS or markdown_option:
                shown.append(Shown("markdown", kind, text))
            elif key == "options" and kind in PLAIN_OPTIONS:
                shown.append(Shown("plain", kind, text))
    return shown


def interpreted(text: str) -> list[str]:
    """What Markdown (CommonMark with HTML) would make of `text` besides text: images,
    links, raw HTML."""
    found = []
    for token in _MARKDOWN.parse(text):
        for inner in [token, *(token.children or [])]:
            if inner.type in ("image", "html_inline", "html_block"):
                found.append(f"{inner.type}: {inner.content or inner.attrs}")
            elif inner.type == "link_open":
                found.append(f"lien vers {inner.attrs.get('href')}")
    return found
