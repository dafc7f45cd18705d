"""Jinja2 templates to text: every template in templates/ is parsed up front, errors name the
file and line, and everything but plain-text templates (*.txt.j2) is autoescaped."""

from __future__ import annotations

import functools
import traceback
from pathlib import Path
from typing import Any

import jinja2

from reportgen.errors import ReportgenError
from reportgen.render.formatting import FILTERS

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
PDF_VARIANTS = ["pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4",
                "pdf/ua-1", "none"]
DEFAULT_VARIANT = "pdf/a-3u"


def check_variant(variant: str) -> None:
    if variant not in PDF_VARIANTS:
        raise ReportgenError(f"--pdf-variant {variant!r}: choose one of {', '.join(PDF_VARIANTS)}.")


@functools.cache
def environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """One environment per template folder: Jinja caches compiled templates in it."""
    # Everything is escaped except plain-text templates (*.txt.j2), which are not markup.
    escape = jinja2.select_autoescape(disabled_extensions=("txt.j2",), default=True,
                                      default_for_string=True)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=escape,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters.update(FILTERS)
    return env


def _template_line(error: BaseException) -> str:
    """Where in a template a rendering error happened, from the traceback."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    return f"{frames[-1].filename}: line {frames[-1].lineno}" if frames else "a template"


def render_html(context: dict[str, Any], templates_dir: Path = TEMPLATES_DIR,
                template: str = "report.html.j2") -> str:
    env = environment(templates_dir)
    try:
        for name in env.list_templates(extensions=["j2"]):
            env.get_template(name)  # parse all first: included ones would fail late and vaguely
        return env.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise ReportgenError(f"{error.filename or error.name}: line {error.lineno}: "
                             f"template error: {error.message}. Fix the template.") from None
    except jinja2.TemplateError as error:
        raise ReportgenError(f"{_template_line(error)}: {error}: the template asks for "
                             "something the report does not provide; fix the template.") from None


