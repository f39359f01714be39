"""Benign noise: each behaviour shows on the wire when on, nothing when off, and is benign truth."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from openipn.model.document import SiteDocument
from openipn.model.radio import Gnb
from openipn.sitefile import check_site_text
from openipn.twin.noise import NoiseError
from openipn.twin.noise_plan import PROCESSING, TRANSIENT, Benign, plan
from openipn.twin.noise_power import ShiftPower
from openipn.twin.runner import Twin, TwinOptions
from openipn.twin.scenario import Scenario, ScenarioError, load_scenario
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.network import Outage
from openipn.twin.sim.traffic import CURVES

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small.yaml"
START = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
STEP_US = 10_000_000  # the twin's default step, in VES microseconds


def small_site() -> SiteDocument:
    document, issues = check_site_text(SMALL.read_text(encoding="utf-8"))
    assert issues == []
    return document


def first_gnb(document: SiteDocument) -> str:
    return next(g.name for g in document.objects("gnbs") if isinstance(g, Gnb))


class Recording(Twin):
    """A twin that keeps every VES event it emits."""

    events: list[dict[str, Any]]

    def _emit(self, event: dict[str, Any]) -> None:
        super()._emit(event)
        self.__dict__.setdefault("events", []).append(event)


@dataclass
class Run:
    """What one short run of the small site put on the wire and in the truth file."""

    twin: Recording
    truth: list[dict[str, Any]]
    pm_dir: Path

    def benign(self, kind: Benign) -> list[dict[str, Any]]:
        return [t for t in self.truth if t["kind"] == "benign" and t["type"] == kind]

    def domain(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.twin.events if e["commonEventHeader"]["domain"] == name]

    def nominal(self, event: dict[str, Any]) -> int:
        """The event's time (µs) less the skew of its element's clock."""
        header = event["commonEventHeader"]
        skews = {
            t["target"].split(":", 1)[1]: round(t["params"]["skew_ms"] * 1000)
            for t in self.benign(Benign.CLOCK_SKEW)
        }
        return int(header["lastEpochMicrosec"]) - skews.get(header["reportingEntityName"], 0)

    def file_ready(self) -> list[tuple[str, int]]:
        return [
            (e["notificationFields"]["arrayOfNamedHashMap"][0]["name"], self.nominal(e))
            for e in self.domain("notification")
            if e["notificationFields"].get("changeType") == "FileReady"
        ]  # fmt: skip


def run(tmp: Path, noise: object, duration: str = "40m") -> Run:
    document = small_site()
    scenario = Scenario.model_validate(
        {"start": START, "duration": duration, "granularity": "1m", "seed": 5, "noise": noise}
    )
    options = TwinOptions(
        pm_dir=tmp / "pm", truth=tmp / "truth.jsonl", netconf=False, metrics=False,
        provisioning_port=None, terminal_report_s=None,
    )  # fmt: skip
    twin = Recording(document, scenario, options)
    twin.run()
    lines = (tmp / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    return Run(twin, [json.loads(line) for line in lines], tmp / "pm")


def micros(iso: str) -> int:
    moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return round(moment.timestamp() * 1_000_000)


NOISY = {
    "transient_alarms": {"per_hour": 30, "clear_after": "5s..40s"},
    "flapping_port": {"per_day": 200, "flaps": "2..3"},
    "late_pm_files": {"probability": 0.1, "delay": "2m..5m"},
    "duplicate_pm_files": {"probability": 0.1},
    "missing_pm_file": {"probability": 0.1},
    "clock_skew": {"elements": 1, "max_ms": 50},
    "planned_changes": {"per_day": 150},
    "shift_end_power_off": {"share": 0.5},
}


@pytest.fixture(scope="module")
def noisy(tmp_path_factory: pytest.TempPathFactory) -> Run:
    gnb = first_gnb(small_site())
    windows = [{"target": f"gnb:{gnb}", "at": "5m", "duration": "10m"}]
    return run(tmp_path_factory.mktemp("noisy"), NOISY | {"maintenance_windows": windows})


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run(tmp_path_factory.mktemp("quiet"), "off")


def test_every_behaviour_happens_and_is_benign_truth(noisy: Run) -> None:
    kinds = Counter(t["type"] for t in noisy.truth)
    assert set(kinds) == set(Benign)
    assert {t["kind"] for t in noisy.truth} == {"benign"}  # no fault in this scenario
    assert len({t["id"] for t in noisy.truth}) == len(noisy.truth)


def test_noise_off_adds_nothing(quiet: Run) -> None:
    assert quiet.truth == []
    conditions = {spec.condition for spec in TRANSIENT.values()}
    raised = {e["faultFields"]["alarmCondition"] for e in quiet.domain("fault")}
    assert not raised & conditions and quiet.domain("stateChange") == []
    names = [name for name, _ in quiet.file_ready()]
    assert len(names) == len(set(names)) == len(list(quiet.pm_dir.iterdir()))
    for name, at in quiet.file_ready():  # every file on time: announced at its period's end
        period_end = name.split("-", 1)[1].split("+", 1)[0]  # A20260302.1400+0000-1401+0000_me
        announced = dt.datetime.fromtimestamp(at / 1e6, dt.UTC)
        assert announced.strftime("%H%M") == period_end and announced.second == 0


def test_transient_alarms_clear_within_their_bound(noisy: Run) -> None:
    faults = noisy.domain("fault")
    for truth in noisy.benign(Benign.TRANSIENT_ALARM):
        element = truth["target"].split(":", 1)[1]
        condition = truth["params"]["alarm_condition"]
        mine = [
            e for e in faults
            if e["commonEventHeader"]["reportingEntityName"] == element
            and e["faultFields"]["alarmCondition"] == condition
        ]  # fmt: skip
        severities = [e["faultFields"]["eventSeverity"] for e in mine]
        assert "NORMAL" in severities and len(severities) >= 2
        held = micros(truth["end"]) - micros(truth["start"])
        assert 5_000_000 <= held <= 40_000_000


def test_flapping_port_is_a_redundant_link(noisy: Run) -> None:
    flaps = noisy.benign(Benign.FLAPPING_PORT)
    links = {t["target"].split(":", 1)[1] for t in flaps}
    texts = [e["faultFields"]["alarmAdditionalInformation"] for e in noisy.domain("fault")]
    down = [t for t in texts if t.get("additionalText", "").startswith("Transport link")]
    assert links and links <= {t["additionalText"].split()[2] for t in down}  # raised, cleared
    network = noisy.twin.sim.network
    for link in links:  # losing the link cuts nothing off: every element stays reachable
        conn = network.state(Outage(frozenset(), frozenset({link}), frozenset()))
        healthy = network.state(Outage(frozenset(), frozenset(), frozenset()))
        assert (conn.element_reachable == healthy.element_reachable).all()
        assert (conn.gnb_up == healthy.gnb_up).all()
    raised = {e["faultFields"]["alarmCondition"] for e in noisy.domain("fault")}
    assert "CELL_UNAVAILABLE" not in raised and "NG_INTERFACE_FAILURE" not in raised


def test_late_duplicate_and_missing_pm_files(noisy: Run) -> None:
    announced = Counter(name for name, _ in noisy.file_ready())
    times = dict(noisy.file_ready())
    for truth in noisy.benign(Benign.LATE_PM_FILE):
        name = truth["params"]["file"]
        assert announced[name] == 1 and times[name] == micros(truth["end"])
        assert 120_000_000 <= micros(truth["end"]) - micros(truth["start"]) <= 300_000_000
    for truth in noisy.benign(Benign.DUPLICATE_PM_FILE):
        assert announced[truth["params"]["file"]] == 2
    missing = [t["params"]["file"] for t in noisy.benign(Benign.MISSING_PM_FILE)]
    assert missing and not set(missing) & set(announced)
    assert not any((noisy.pm_dir / name).exists() for name in missing)
    others = set(announced) - {t["params"]["file"] for t in noisy.benign(Benign.DUPLICATE_PM_FILE)}
    assert all(announced[name] == 1 for name in others)


def test_one_element_has_a_skewed_clock(noisy: Run) -> None:
    [truth] = noisy.benign(Benign.CLOCK_SKEW)
    element = truth["target"].split(":", 1)[1]
    skew_us = round(truth["params"]["skew_ms"] * 1000)
    assert 25_000 <= abs(skew_us) <= 50_000
    for event in noisy.domain("heartbeat"):  # heartbeats go out on the step grid
        header = event["commonEventHeader"]
        offset = header["lastEpochMicrosec"] % STEP_US
        expected = skew_us % STEP_US if header["reportingEntityName"] == element else 0
        assert offset == expected


def test_planned_changes_are_announced_by_a_person(noisy: Run) -> None:
    changes = noisy.benign(Benign.PLANNED_CHANGE)
    notices = [
        e["notificationFields"] for e in noisy.domain("notification")
        if e["notificationFields"].get("changeContact")
    ]  # fmt: skip
    assert changes and len(notices) == len(changes)
    for truth, notice in zip(changes, notices, strict=True):
        assert notice["changeContact"] == truth["params"]["user"]
        assert abs(truth["params"]["new"] - truth["params"]["old"]) == 0.5
        assert list(notice["additionalFields"].values()) == [str(truth["params"]["new"])]


def test_terminals_power_off_after_the_shift(noisy: Run) -> None:
    sim = noisy.twin.sim
    quiet_start = max(end for _, end, _ in CURVES[sim.traffic.profile].windows)
    local_end = (START + dt.timedelta(minutes=40)).astimezone(sim.tz)
    assert local_end.hour * 60 + local_end.minute >= quiet_start + 10  # all jitters elapsed
    off = noisy.benign(Benign.SHIFT_END_POWER_OFF)
    names = [t["target"].split(":", 1)[1] for t in off]
    assert names and all(t["end"] is None for t in off)  # still off when the run completed
    index = sim.world.terminals.index
    for name, truth in zip(names, off, strict=True):
        i = index[name]
        assert not sim.connected[i] and not sim.core.registered[i]
        went = dt.datetime.fromisoformat(truth["start"].replace("Z", "+00:00")).astimezone(sim.tz)
        assert went.hour * 60 + went.minute >= quiet_start
    others = [i for name, i in index.items() if name not in set(names)]
    assert sim.connected[others].any()


def test_a_maintenance_window_is_announced_and_taken(noisy: Run) -> None:
    [truth] = noisy.benign(Benign.MAINTENANCE_WINDOW)
    states = [e["stateChangeFields"] for e in noisy.domain("stateChange")]
    assert [(s["oldState"], s["newState"]) for s in states] == [
        ("inService", "maintenance"),
        ("maintenance", "inService"),
    ]
    gnb = truth["target"].split(":", 1)[1]
    sim = noisy.twin.sim
    element = sim.world.elements.names[int(sim.world.gnbs.me[sim.world.gnbs.index[gnb]])]
    start, end = micros(truth["start"]), micros(truth["end"])
    during = [
        e for e in noisy.domain("heartbeat")
        if e["commonEventHeader"]["reportingEntityName"] == element
        and start < noisy.nominal(e) < end
    ]  # fmt: skip
    assert during == []  # out of service for the window


def test_same_seed_same_noise(tmp_path: Path) -> None:
    first = run(tmp_path / "a", NOISY, duration="10m").truth
    assert first and run(tmp_path / "b", NOISY, duration="10m").truth == first


def test_maintenance_target_must_exist(tmp_path: Path) -> None:
    windows = [{"target": "gnb:no-such-gnb", "at": "1m", "duration": "1m"}]
    with pytest.raises(NoiseError, match=r"noise.maintenance_windows\[0\]"):
        run(tmp_path, {"maintenance_windows": windows})


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("noise: {transiant_alarms: {per_hour: 1}}", "did you mean 'transient_alarms'"),
        ("noise: {late_pm_files: {delay: 10m..2m}}", "reversed"),
        ("noise: {missing_pm_file: {probability: 2}}", "missing_pm_file.probability"),
        ("noise: sometimes", "write off, default"),
    ],
)
def test_bad_noise_sections_name_the_field(tmp_path: Path, section: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(section + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


def test_noise_words() -> None:
    assert not Scenario().noise.enabled()
    assert not Scenario.model_validate({"noise": False}).noise.enabled()
    on = Scenario.model_validate({"noise": "default"})
    assert all(getattr(on.noise, name) for name in NOISY)
    assert Scenario.model_validate(on.model_dump()).noise == on.noise  # the CLI round-trips it


@pytest.mark.parametrize("name", ["live-plant.yaml", "plant-shift.yaml"])
def test_shipped_plant_scenarios_run_with_noise(name: str) -> None:
    scenario = load_scenario(ROOT / "scenarios" / name)
    assert all(getattr(scenario.noise, key) for key in NOISY)
    assert scenario.noise.maintenance_windows


def test_the_shipped_shift_holds_every_kind_of_timed_benign_event() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "plant-shift.yaml")
    assert scenario.site is not None and scenario.noise is not None
    document, _ = check_site_text(scenario.site.read_text(encoding="utf-8"))
    assert document is not None
    sim = Simulation(document, seed=scenario.seed, start=scenario.start)
    drawn = plan(scenario.noise, sim.world, sim.network, scenario.seed, scenario.start,
                 scenario.duration)  # fmt: skip
    assert drawn.alarms and drawn.flaps and drawn.changes and drawn.skew_us and drawn.power_off
    power, off_seen = ShiftPower(sim, drawn.power_off), False
    for minute in range(0, round(scenario.duration.total_seconds() / 60), 5):
        power.update(scenario.start + dt.timedelta(minutes=minute))
        off_seen |= bool(power.off)
    assert off_seen  # the shift ends inside the scenario: devices switch off


def test_noise_events_are_valid_ves_7(noisy: Run) -> None:
    schema = ROOT / ".." / "shared" / "reference" / "samples" / "CommonEventFormat_30.2.1_ONAP.json"
    if not schema.exists():
        pytest.skip(f"VES schema not at {schema}")
    validator = Draft4Validator(json.loads(schema.read_text(encoding="utf-8")))
    conditions = {spec.condition for spec in TRANSIENT.values()} | {PROCESSING.condition}
    noise_events = [
        *noisy.domain("stateChange"),
        *(e for e in noisy.domain("fault") if e["faultFields"]["alarmCondition"] in conditions),
        *(e for e in noisy.domain("notification") if e["notificationFields"].get("changeContact")),
    ]
    assert noise_events
    for event in noise_events:
        errors = [e.message for e in validator.iter_errors({"event": event})]
        assert errors == [], (event["commonEventHeader"]["eventName"], errors)
