"""The report templates and the typed context (``reportgen.render.context``) agree: every
attribute a template reads is a declared field, every declared field is read by some
template, and every field has its help text."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

import jinja2
import pytest
from jinja2 import nodes

from reportgen.render.context import ChartContext, ReportContext, field_help
from reportgen.templating import TEMPLATES_DIR, environment

REPORT_TEMPLATES = ["base.html.j2", "report.html.j2", "portfolio_frame.html.j2",
                    *(f"sections/{p.name}" for p in sorted((TEMPLATES_DIR / "sections")
                                                           .glob("*.html.j2")))]
# Macro parameters whose type the templates cannot declare.
MACRO_PARAMETERS = {("chart", "figure"): ChartContext, ("chart_image", "figure"): ChartContext}


def hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def concrete(tp: Any) -> Any:
    """``X | None`` → X."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else None
    return tp


def element(tp: Any) -> Any:
    """What iterating or indexing a ``list[X]`` or ``dict[str, X]`` gives."""
    args = typing.get_args(concrete(tp))
    return args[-1] if args else None


class Contract:
    """Walks template syntax trees, typing names from ReportContext, loop targets from what
    they loop over, ``set`` names from their value, and macro parameters from
    MACRO_PARAMETERS."""

    def __init__(self) -> None:
        self.top_level = hints(ReportContext)
        self.read: set[tuple[type, str]] = set()
        self.errors: list[str] = []

    def check(self, name: str, tree: nodes.Node) -> None:
        self.template = name
        self.visit(tree, dict(self.top_level))

    def visit(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            items = self.type_of(node.iter, scope)
            inner = dict(scope)
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = element(items)
            for child in [*node.body, *node.else_]:
                self.visit(child, inner)
        elif isinstance(node, nodes.Macro):
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = MACRO_PARAMETERS.get((node.name, arg.name))
            for child in node.body:
                self.visit(child, inner)
        elif isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            scope[node.target.name] = self.type_of(node.node, scope)  # {% set x = ... %}
        elif isinstance(node, nodes.Expr):
            self.type_of(node, scope)
        else:
            for child in node.iter_child_nodes():
                self.visit(child, scope)

    def type_of(self, node: nodes.Node, scope: dict[str, Any]) -> Any:
        if isinstance(node, nodes.Name):
            if node.name in self.top_level and scope.get(node.name) is self.top_level[node.name]:
                self.read.add((ReportContext, node.name))
            return scope.get(node.name)
        if isinstance(node, nodes.Getattr):
            return self.read_field(self.type_of(node.node, scope), node.attr, node.lineno)
        if isinstance(node, nodes.Filter) and node.name == "halves":
            # items | halves("field", ...): two lists of the items, which reads those fields.
            items = self.type_of(node.node, scope)
            for arg in node.args:
                self.read_field(element(items), arg.value, node.lineno)
            return list[items]
        if isinstance(node, nodes.Getitem):
            self.type_of(node.arg, scope)
            return element(self.type_of(node.node, scope))
        for child in node.iter_child_nodes():
            self.type_of(child, scope)
        return None

    def read_field(self, owner: Any, attr: str, lineno: int) -> Any:
        """The declared type of ``owner.attr``, noted as read; None if owner is not a context
        class, and an error if it has no such field."""
        owner = concrete(owner)
        if not dataclasses.is_dataclass(owner):
            return None
        declared = hints(owner)
        if attr not in declared:
            self.errors.append(f"{self.template}: line {lineno}: "
                               f"{owner.__name__} has no field {attr!r}")
            return None
        self.read.add((owner, attr))
        return declared[attr]


def context_classes(root: type = ReportContext) -> set[type]:
    """Every context dataclass reachable from ``root``."""
    found, todo = set(), [root]
    while todo:
        cls = todo.pop()
        if cls in found:
            continue
        found.add(cls)
        for tp in hints(cls).values():
            for candidate in (concrete(tp), element(tp)):
                if dataclasses.is_dataclass(candidate):
                    todo.append(candidate)
    return found


@pytest.fixture(scope="module")
def contract() -> Contract:
    env = environment()
    contract = Contract()
    for name in REPORT_TEMPLATES:
        source, _, _ = env.loader.get_source(env, name)
        contract.check(name, env.parse(source, name))
    return contract


def test_templates_read_only_declared_fields(contract: Contract) -> None:
    assert not contract.errors, "\n".join(contract.errors)


def unread(contract: Contract) -> list[str]:
    return sorted(f"{cls.__name__}.{name}" for cls in context_classes()
                  for name in hints(cls) if (cls, name) not in contract.read)


def test_every_declared_field_is_read_by_a_template(contract: Contract) -> None:
    assert not unread(contract), f"declared but no template reads them: {unread(contract)}"


def test_every_field_has_its_help_text() -> None:
    for cls in context_classes():
        helps = field_help(cls)
        assert set(helps) == set(hints(cls)), cls.__name__
        assert all(isinstance(text, str) and text for text in helps.values()), cls.__name__


def test_the_check_catches_a_field_that_does_not_exist() -> None:
    contract = Contract()
    env = jinja2.Environment()
    contract.check("t", env.parse("{% for row in valuation.rows %}{{ row.nmae }}{% endfor %}"
                                  "{{ edition.firm_name }}"))
    assert contract.errors == ["t: line 1: ValuationRow has no field 'nmae'",
                               "t: line 1: EditionContext has no field 'firm_name'"]


def test_the_check_names_fields_no_template_reads() -> None:
    contract = Contract()
    contract.check("t", jinja2.Environment().parse("{{ edition.firm }}"))
    assert "EditionContext.firm" not in unread(contract)
    assert {"EditionContext.title", "ValuationRow.ratio", "ReportContext.valuation"} <= set(
        unread(contract))


def test_the_check_follows_lists_cut_in_halves() -> None:
    contract = Contract()
    contract.check("t", jinja2.Environment().parse(
        '{% for half in sources.definitions | halves("term", "txet") %}'
        "{% for row in half %}{{ row.term }}{{ row.nmae }}{% endfor %}{% endfor %}"))
    assert contract.errors == ["t: line 1: Definition has no field 'txet'",
                               "t: line 1: Definition has no field 'nmae'"]
    assert "Definition.term" not in unread(contract)
