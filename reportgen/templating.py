"""Jinja2 templates to text, for every stage that writes a document (report, archive index,
email). The templates ship inside the package as ``reportgen.templates`` (the repository's
top-level ``templates/`` folder) and are found through ``importlib.resources``, so an
installed ``reportgen`` works from any directory.

Everything but plain-text templates (``*.txt.j2``) is autoescaped; undefined names are
errors; every template is parsed up front, and errors name the file and line.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import math
import traceback
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from reportgen.errors import ReportgenError
from reportgen.formatting import FILTERS

TEMPLATES_DIR = Path(str(resources.files("reportgen.templates")))


@functools.cache
def environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """One environment per template folder: Jinja caches compiled templates in it."""
    escape = jinja2.select_autoescape(disabled_extensions=("txt.j2",), default=True,
                                      default_for_string=True)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=escape,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, bytecode_cache=_compiled_templates())
    env.filters.update(FILTERS)
    env.filters["css_string"] = css_string
    env.filters["halves"] = halves
    return env


class _BestEffortCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, kept from one run to the next as Python keeps its
    own bytecode, that never stops a run: a compiled template that cannot be written is
    compiled again next time. (A template whose source changed is compiled anew: Jinja
    checks each entry against its source.)"""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates() -> jinja2.BytecodeCache | None:
    """The cache of compiled templates: compiling the 23 templates takes the build ~0.17 s
    as it lays out the edition, after its charts are drawn, when nothing else can be done.
    It lives in Jinja's own folder for it, in the system's temporary folder, which Jinja
    makes this user's alone (mode 700) and refuses if it is anyone else's; without such a
    folder, templates are compiled as they are used."""
    try:
        return _BestEffortCache()
    except (OSError, RuntimeError):
        return None


CSS_PLAIN = frozenset(" .,:;()'/–—·")


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, for generated content such as a running header:
    letters, digits and a few marks as they are, every other character as a CSS escape, so
    no quote, backslash or ``</style>`` in the text can end the string or the style."""
    escaped = "".join(c if c.isalnum() or c in CSS_PLAIN else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')


def data_uri(media_type: str, content: bytes) -> str:
    """``content`` as a ``data:`` URI, for a document that must load nothing else."""
    return f"data:{media_type};base64,{base64.b64encode(content).decode()}"


# How many characters of 7.6 pt text a line of one of two columns holds (report.css), to
# estimate how many lines an item takes.
COLUMN_LINE_CHARS = 58


def halves(items: Sequence[Any], *fields: str) -> tuple[list[Any], list[Any]]:
    """``items`` cut in two, for two columns read down then across, of about the same height.

    An item's height is the lines its ``fields`` take (each field starts a line; the item
    itself if no field is named), at ``COLUMN_LINE_CHARS`` characters a line. The cut is
    the one whose taller column is the shortest; of two such, the one with the longer first
    column. CSS columns would balance exactly, but WeasyPrint balances them by laying the
    content out again and again: two fifths of a whole edition's layout (0.6 of 1.45 s) for
    one page.
    """
    def lines(item: Any) -> int:
        texts = [getattr(item, field) for field in fields] if fields else [item]
        return sum(max(1, math.ceil(len(str(text)) / COLUMN_LINE_CHARS)) for text in texts)

    heights = [lines(item) for item in items]
    total = sum(heights)
    best = min(range(len(items) + 1),
               key=lambda cut: (max(sum(heights[:cut]), total - sum(heights[:cut])), -cut))
    return list(items[:best]), list(items[best:])


def _template_line(error: BaseException) -> str:
    """Where in a template a rendering error happened, from the traceback."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    return f"{frames[-1].filename}: line {frames[-1].lineno}" if frames else "a template"


def render_template(name: str, context: dict[str, Any],
                    templates_dir: Path = TEMPLATES_DIR) -> str:
    env = environment(templates_dir)
    try:
        for other in env.list_templates(extensions=["j2"]):
            env.get_template(other)  # parse all first: included ones would fail late and vaguely
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise ReportgenError(f"{error.filename or error.name}: line {error.lineno}: "
                             f"template error: {error.message}. Fix the template.") from None
    except jinja2.TemplateError as error:
        raise ReportgenError(f"{_template_line(error)}: {error}: the template asks for "
                             "something the report does not provide; fix the template.") from None
