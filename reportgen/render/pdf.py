"""Jinja2 templates to HTML, and HTML to PDF with WeasyPrint, reading only project assets.

The renderer's URL fetcher allows ``data:`` URLs (the charts) and files inside the template
folder or the firm's asset folder; anything else (http, https, other files) is refused and
named, whatever a template or a commentary file asks for.
"""

from __future__ import annotations

import functools
import traceback
from pathlib import Path
from typing import Any

import jinja2
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from reportgen.errors import ReportgenError
from reportgen.quiet import captured_logs
from reportgen.render.formatting import FILTERS

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
PDF_VARIANTS = ["pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4",
                "pdf/ua-1", "none"]
DEFAULT_VARIANT = "pdf/a-3u"


def check_variant(variant: str) -> None:
    if variant not in PDF_VARIANTS:
        raise ReportgenError(f"--pdf-variant {variant!r}: choose one of {', '.join(PDF_VARIANTS)}.")


class RefusedURL(ValueError):
    pass


class ProjectAssetFetcher(URLFetcher):
    """Fetches ``data:`` URLs and files under the allowed folders; refuses everything else."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols={"data", "file"})
        self.allowed = [folder.resolve() for folder in allowed]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> Any:
        if url.startswith("file:"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not any(path.is_relative_to(folder) for folder in self.allowed):
                self.refused.append(url)
                raise RefusedURL(f"outside the project's assets: {url}")
        elif not url.startswith("data:"):
            self.refused.append(url)
            raise RefusedURL(f"not a project asset: {url}")
        return super().fetch(url, headers)


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


def render_pdf(html: str, *, templates_dir: Path = TEMPLATES_DIR,
               assets_dir: Path | None = None, variant: str = DEFAULT_VARIANT,
               identifier: bytes | None = None) -> tuple[bytes, list[str]]:
    """The PDF bytes, and the URLs the renderer refused to fetch."""
    check_variant(variant)
    fetcher = ProjectAssetFetcher([templates_dir, *([assets_dir] if assets_dir else [])])
    with captured_logs("weasyprint", "fontTools"):
        document = HTML(string=html, base_url=str(templates_dir) + "/", url_fetcher=fetcher)
        # Fonts are subset. With libharfbuzz-subset0 installed (.ci/run does) this is fast;
        # embedding whole fonts instead loses the Unicode map of Inter's tabular figures, so
        # the PDF's digits could not be searched, copied or read aloud.
        pdf = document.write_pdf(pdf_variant=None if variant == "none" else variant,
                                 pdf_identifier=identifier, custom_metadata=True)
    return pdf, fetcher.refused
