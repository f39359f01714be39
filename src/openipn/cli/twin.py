"""`openipn twin`: run the network twin of a site as its own process."""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from openipn.cli.output import console, errors, fail, handle_errors
from openipn.model.document import SiteFileError
from openipn.sitefile import check_site_text
from openipn.twin.adapters import MetricNames
from openipn.twin.credentials import TWIN_NETCONF_PASSWORD, TWIN_NETCONF_USER
from openipn.twin.emit.ves_poster import BasicAuth, BearerToken
from openipn.twin.scenario import Scenario, ScenarioError, load_scenario, parse_duration


def _scenario(scenario_file: Path | None, site: Path | None) -> Scenario:
    scenario = load_scenario(scenario_file) if scenario_file else Scenario()
    if site is not None:
        scenario.site = site
    if scenario.site is None:
        raise ScenarioError("no site: give --site or a scenario with `site:`")
    return scenario


def _start(text: str | None) -> dt.datetime | None:
    """`now`, `now-<duration>` (floored to the minute) or an ISO time; None keeps the scenario's."""
    if text is None:
        return None
    if not text.startswith("now"):
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    rest = text[3:].strip()
    if not rest:
        return now
    if not rest.startswith("-"):
        raise ScenarioError(f"--start {text!r}: write 'now', 'now-2h' or an ISO time")
    return now - parse_duration(rest[1:])


def _auth(
    user: str | None, password: str | None, token: str | None
) -> BasicAuth | BearerToken | None:
    if token:
        return BearerToken(token)
    if user:
        return BasicAuth(user, password or "")
    return None


@handle_errors
def twin(
    site: Annotated[Path | None, typer.Option(help="Site file of the network to emulate")] = None,
    scenario: Annotated[Path | None, typer.Option(help="Scenario file (YAML)")] = None,
    truth: Annotated[Path | None, typer.Option(help="Write the fault truth here (JSONL)")] = None,
    ves_url: Annotated[str | None, typer.Option(help="VES collector base URL")] = None,
    ves_user: Annotated[str | None, typer.Option(help="VES basic-auth user")] = None,
    ves_password: Annotated[str | None, typer.Option(envvar="OPENIPN_TWIN_VES_PASSWORD")] = None,
    ves_token: Annotated[str | None, typer.Option(envvar="OPENIPN_TWIN_VES_TOKEN")] = None,
    pm_dir: Annotated[Path, typer.Option(help="Directory for PM files")] = Path("pm"),
    duration: Annotated[str | None, typer.Option(help="Override the scenario's duration")] = None,
    speed: Annotated[str | None, typer.Option(help="Simulated s per real s, or 'max'")] = None,
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed")] = None,
    start: Annotated[
        str | None,
        typer.Option(help="Override the start: UTC ISO time, 'now' or e.g. 'now-2h'"),
    ] = None,
    follow_clock: Annotated[
        bool, typer.Option(help="Never run ahead of the wall clock (catch up, then real time)")
    ] = False,
    endpoints: Annotated[Path | None, typer.Option(help="Write the servers' ports here")] = None,
    netconf_user: Annotated[
        str, typer.Option(envvar="OPENIPN_TWIN_NETCONF_USER", help="NETCONF (SSH) user name")
    ] = TWIN_NETCONF_USER,
    netconf_password: Annotated[
        str, typer.Option(envvar="OPENIPN_TWIN_NETCONF_PASSWORD", help="NETCONF (SSH) password")
    ] = TWIN_NETCONF_PASSWORD,
    metric_names: Annotated[
        MetricNames, typer.Option(help="Counter names on /metrics: as Open5GS, or with _total")
    ] = MetricNames.OPEN5GS,
) -> None:
    """Run the twin: VES events, PM files, /metrics, NETCONF and provisioning."""
    from openipn.twin.runner import Twin, TwinOptions  # heavy (NumPy, SSH): only when run

    plan = _scenario(scenario, site)
    overrides = {"duration": duration, "speed": speed, "seed": seed, "start": _start(start)}
    plan = Scenario.model_validate(
        {**plan.model_dump(), **{k: v for k, v in overrides.items() if v is not None}}
    )
    assert plan.site is not None
    document, issues = check_site_text(plan.site.read_text(encoding="utf-8"), source=str(plan.site))
    if issues:
        raise SiteFileError(issues)
    options = TwinOptions(
        pm_dir=pm_dir,
        ves_url=ves_url,
        truth=truth,
        ves_auth=_auth(ves_user, ves_password, ves_token),
        metric_names=metric_names,
        follow_clock=follow_clock,
        netconf_user=netconf_user,
        netconf_password=netconf_password,
    )
    runner = Twin(document, plan, options)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        ports = runner.start()
        if endpoints is not None:
            endpoints.write_text(json.dumps(ports, indent=2, sort_keys=True), encoding="utf-8")
        errors.print(f"twin of {plan.site.name}: {plan.duration} from {plan.start:%Y-%m-%dT%H:%MZ}")
        summary = runner.run(stop)
    except KeyboardInterrupt:
        raise fail("interrupted") from None
    finally:
        runner.close()
    console.print(
        json.dumps(
            {
                "steps": summary.steps,
                "pm_files": summary.pm_files,
                "events": summary.events,
                "alarms": summary.alarms,
                "simulated_s": summary.simulated_seconds,
                "wall_s": round(summary.wall_seconds, 2),
            }
        )
    )
