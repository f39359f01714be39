"""`openipn topology`: graph queries over the stored transport topology."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from openipn.cli.context import cli_context
from openipn.cli.output import console, fail, handle_errors
from openipn.model.impact import failure_report

app = typer.Typer(help="Graph queries over the transport topology.", no_args_is_help=True)

# Sections of the report after the cut-off nodes: (key, heading)
DEPENDENTS = (
    ("slices", "Slices lost"),
    ("cells", "Cells losing service"),
    ("applications", "Applications losing service"),
    ("terminals", "Terminals losing service"),
)
SECTION_LINES = 50  # dependents listed per section unless --full


def _joined(items: list[str]) -> str:
    return ", ".join(items) if items else "-"


def _print(line: str) -> None:
    console.print(line, markup=False, highlight=False)


def _print_planes(report: dict[str, Any]) -> None:
    _print(f"Control plane (N2 to an AMF) lost by gNBs: {_joined(report['control_plane'])}")
    if not report["user_plane"]:
        _print("User plane (N3 to a UPF): nothing lost")
    for loss in report["user_plane"]:
        why = "the UPF lost its N4 association" if loss["n4_lost"] else "no N3 path"
        _print(
            f"User plane (N3) to {loss['upf']} (slices {_joined(loss['slices'])}; DNNs "
            f"{_joined(loss['dnns'])}) lost by gNBs {_joined(loss['gnbs'])}: {why}"
        )


def _print_dependents(report: dict[str, Any], *, full: bool) -> None:
    for key, heading in DEPENDENTS:
        items = report[key]
        _print(f"{heading} ({len(items)}):")
        shown = items if full else items[:SECTION_LINES]
        for item in shown:
            slices = f" [{_joined(item['slices'])}]" if item["slices"] else ""
            _print(f"  {item['name']}{slices} at {_joined(item['gnbs'])}")
        if len(shown) < len(items):
            _print(f"  … and {len(items) - len(shown)} more (--full or --json lists them all)")


def _lost_anything(report: dict[str, Any]) -> bool:
    keys = ("behind", "control_plane", "user_plane", *(k for k, _ in DEPENDENTS))
    return any(report[k] for k in keys)


@app.command("behind")
@handle_errors
def behind_command(
    ctx: typer.Context,
    link: Annotated[str | None, typer.Option(help="A link that fails")] = None,
    node: Annotated[str | None, typer.Option(help="A node that fails")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text")] = False,
    full: Annotated[
        bool, typer.Option("--full", help=f"Every dependent, not the first {SECTION_LINES}")
    ] = False,
) -> None:
    """What a link or node failure cuts off: the control plane (N2 to an AMF), the user plane
    (N3 to each UPF, per slice) and the cells, slices, applications and terminals depending
    on them."""
    if (link is None) == (node is None):
        raise fail("give exactly one of --link or --node")
    document = cli_context(ctx).services().inventory.export()
    try:
        report = failure_report(document, link=link, node=node)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    if not _lost_anything(report):
        _print("nothing: every node still reaches the core, and every gNB its UPFs")
        return
    for item in report["behind"]:  # the nodes cut off from every AMF, one per line
        _print(f"{item['kind']} {item['name']}")
    _print_planes(report)
    _print_dependents(report, full=full)
