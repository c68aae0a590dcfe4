"""Text that came from a file or a person, shown as text.

Streamlit renders Markdown in messages, captions, headings and widget labels, plus its own
directives (`:red[…]`, `:material/…:`), LaTeX between dollars and bare URLs as links; Plotly
renders a subset of HTML in every text of a chart. An association name, a header, a file name
or a label such as `![x](http://…)` would make every viewer's browser fetch an image (a
tracking beacon) or show a link. So every such string is escaped where it is shown:

- `plain`: one line of Markdown-safe text (the string reads the same, renders nothing);
- `message`: a whole message that quotes file content (an import error, a sign-in refusal):
  every line escaped, line breaks kept;
- `chart_text`: text for a Plotly figure (HTML entities).

Select boxes, multiselects and tables show plain text: strings go there as they are.
"""

from __future__ import annotations

import html
import re

# What makes Markdown out of text: emphasis, code, links and images (brackets), HTML,
# tables, maths, headings, and a colon before a letter or a slash (Streamlit's directives).
_SPECIAL = re.compile(r"([\\`*_\[\]<>~|$#])|(:)(?=[A-Za-z/])")
# Bare addresses (`www.x.fr`, `http://x.fr`, `a@x.fr`) are turned into links after escapes
# are read (Streamlit's GFM autolinks work on the text), so no backslash stops them: an
# invisible word joiner between a word and its `.`, `:` or `@` does.
_AUTOLINK = re.compile(r"(?<=\w)(?=\.\w|:/|@\w)")
WORD_JOINER = "\u2060"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(text: str) -> str:
    text = _AUTOLINK.sub(WORD_JOINER, text)
    return _SPECIAL.sub(lambda m: "\\" + next(g for g in m.groups() if g), text)


def plain(text: object) -> str:
    """`text` on one line with every Markdown character escaped."""
    return _escape(" ".join(_CONTROL.sub(" ", str(text)).split()))


def message(text: object) -> str:
    """A multi-line message quoting file content: each line escaped, line breaks kept."""
    lines = _CONTROL.sub(" ", str(text)).split("\n")
    return "\n".join(_escape(line) for line in lines)


def chart_text(text: object) -> str:
    """`text` for a Plotly label or hover: its HTML characters as entities."""
    return html.escape(" ".join(_CONTROL.sub(" ", str(text)).split()), quote=False)
