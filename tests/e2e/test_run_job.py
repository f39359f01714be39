"""`openipn run` (the command `make run` calls): keeps the user's work, refuses to run twice,
starts the platform before the twin, survives the twin, stops cleanly, never makes a new key."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest
import yaml
from run_kit import (
    READY,
    cli,
    healthy,
    processes_of,
    run_to_end,
    start_run,
    twin_pid,
    version_count,
)

from net_kit import free_port
from openipn.app import NotInitialisedError, initialise
from openipn.settings import Settings

NEW_GNB = "gnb-ws1-09"
NEW_SUPIS = [f"imsi-99999{9100000000 + i}" for i in range(3)]


def _luhn_digit(body: str) -> str:
    """The Luhn check digit of ``body`` (ITU-T E.118 ICCIDs end with one)."""
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def _sims_csv(path: Path) -> Path:
    rows = ["imsi,iccid,k,opc,amf,profile,imei"]
    for i, supi in enumerate(NEW_SUPIS):
        iccid = f"899999000000000{i:03d}"
        rows.append(
            f"{supi.removeprefix('imsi-')},{iccid}{_luhn_digit(iccid)},"
            f"{'0' * 31}{i + 1},{'1' * 31}{i + 1},8000,prof-embb,"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _with_new_gnb(site: dict[str, list[dict[str, object]]]) -> None:
    """Add a gNB (its managed element and access link) copied from gnb-ws1-02."""
    (element,) = [e for e in site["managed_elements"] if e["name"] == "me-gnb-ws1-02"]
    (gnb,) = [g for g in site["gnbs"] if g["name"] == "gnb-ws1-02"]
    (link,) = [k for k in site["links"] if k["name"] == "acc-gnb-ws1-02"]
    management = {**element["management"], "netconf_port": 8309, "ves_source_name": NEW_GNB}  # type: ignore[dict-item]
    site["managed_elements"].append(
        {**element, "name": "me-gnb-ws1-09", "serial": "ERN00000009", "management": management}
    )
    site["gnbs"].append(
        {**gnb, "name": NEW_GNB, "managed_element": "me-gnb-ws1-09", "gnb_id": 176199}
    )
    site["links"].append({**link, "name": "acc-gnb-ws1-09", "a": NEW_GNB})


def _stored(data_dir: Path) -> dict[str, object]:
    exported = cli(data_dir, "export").stdout
    return yaml.safe_load(exported)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_two_runs_keep_a_gnb_and_sims_added_in_between(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_run(data, free_port(), tmp_path / "first.txt")
    text = first.wait_for(READY)
    assert "the store was empty: applied" in text
    code, text = first.interrupt()
    assert code == 0 and "Traceback" not in text, text

    site = _stored(data)
    _with_new_gnb(site)  # type: ignore[arg-type]
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(site, sort_keys=False), encoding="utf-8")
    cli(data, "apply", str(edited), "--reason", "a new gNB")
    cli(data, "sims", "import", str(_sims_csv(tmp_path / "sims.csv")))
    versions = version_count(data)

    second = start_run(data, free_port(), tmp_path / "second.txt")
    text = second.wait_for(READY)
    code, text = second.interrupt()
    assert code == 0 and "Traceback" not in text, text
    assert "serving the stored network" in text and "was not applied" in text
    assert version_count(data) == versions  # the example was not applied again
    stored = _stored(data)
    assert NEW_GNB in {g["name"] for g in stored["gnbs"]}  # type: ignore[attr-defined]
    supis = {s["supi"] for s in stored["subscriptions"]}  # type: ignore[attr-defined]
    assert set(NEW_SUPIS) <= supis
    served = yaml.safe_load((data / "run" / "site.yaml").read_text(encoding="utf-8"))
    assert NEW_GNB in {g["name"] for g in served["gnbs"]}  # the twin emulated the stored network


def _footprint(data_dir: Path) -> dict[str, tuple[int, int]]:
    """(mtime, size) of what a second run would write first: lock, key, site, scrape targets."""
    names = ["run.lock", "run/site.yaml", "twin/scrape.json", "keys/subscriber-secrets.key"]
    found = {n: (data_dir / n).stat() for n in names}
    return {n: (s.st_mtime_ns, s.st_size) for n, s in found.items()}


def _top_level(data_dir: Path) -> set[str]:
    entries = [*data_dir.iterdir(), *(data_dir / "run").iterdir(), *(data_dir / "logs").iterdir()]
    return {p.relative_to(data_dir).as_posix() for p in entries}


@pytest.mark.slow
def test_a_second_concurrent_run_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    first = start_run(data, port, tmp_path / "first.txt")
    try:
        first.wait_for(READY)
        versions = version_count(data)
        before, names = _footprint(data), _top_level(data)
        same_port = run_to_end(data, port)
        other_data = run_to_end(tmp_path / "elsewhere", port)
        same_data = run_to_end(data, free_port())
        after, names_after = _footprint(data), _top_level(data)
        assert first.process.poll() is None and healthy(first.url)
    finally:
        code, text = first.interrupt()
    assert code == 0 and "Traceback" not in text, text
    for refused in (same_port, other_data, same_data):
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "Traceback" not in refused.stdout + refused.stderr
    assert f"port {port} on 127.0.0.1 is in use" in same_port.stderr
    assert f"port {port} on 127.0.0.1 is in use" in other_data.stderr
    assert not (tmp_path / "elsewhere").exists()  # refused before anything was made
    assert (
        f"data directory {data} is in use by another `openipn run` (pid {first.process.pid})"
        in (same_data.stderr.replace("\n", ""))
    )
    assert after == before
    assert names_after == names and version_count(data) == versions


@pytest.mark.slow
def test_killing_the_twin_leaves_the_platform_up_with_heartbeat_lost_alarms(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    run = start_run(data, free_port(), tmp_path / "run.txt", OPENIPN_VES_HEARTBEAT_MISSES="1")
    try:
        run.wait_for(READY)
        time.sleep(3.0)  # the twin's first heartbeats reach the platform
        _assert_platform_started_first(data)
        os.kill(twin_pid(data), signal.SIGKILL)
        text = run.wait_for("the platform keeps running", timeout_s=30)
        assert "the twin was stopped by signal SIGKILL" in text
        lost = _wait_for_heartbeat_lost(run.url, timeout_s=150)
        assert healthy(run.url) and run.process.poll() is None
    finally:
        code, text = run.interrupt()
    assert lost and all(a["severity"] == "MAJOR" for a in lost)
    assert code == 0 and "Traceback" not in text, text
    assert processes_of(data) == {}  # the platform stopped too


def _assert_platform_started_first(data: Path) -> None:
    """The platform answered its health check before the twin started and posted anything."""
    lines = (data / "logs" / "access.log").read_text(encoding="utf-8").splitlines()
    healthy_at = next(i for i, line in enumerate(lines) if "/healthz" in line and " 200" in line)
    posted_at = next(i for i, line in enumerate(lines) if "/eventListener" in line)
    assert healthy_at < posted_at, lines[: posted_at + 1]
    started = {pid: _start_ticks(pid) for pid in processes_of(data)}
    twin = twin_pid(data)
    assert all(started[pid] <= started[twin] for pid in started), started


def _start_ticks(pid: int) -> int:
    """A process's start time since boot, in clock ticks (proc(5): field 22 of stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return int(stat.rsplit(")", 1)[1].split()[19])


def _wait_for_heartbeat_lost(url: str, timeout_s: float) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page = httpx.get(f"{url}/api/v1/alarms", params={"active": "true", "page_size": 1000})
        lost = [a for a in page.json()["items"] if a["condition"] == "heartbeatLost"]
        if lost:
            return lost
        time.sleep(2.0)
    raise AssertionError(f"no heartbeatLost alarm within {timeout_s} s")


def test_ctrl_c_stops_the_platform_and_the_twin_with_exit_0(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run = start_run(data, free_port(), tmp_path / "run.txt")
    run.wait_for(READY)
    children = processes_of(data)
    assert any(" serve " in line for line in children.values())
    assert any(" twin " in line for line in children.values())
    code, text = run.interrupt()
    assert code == 0, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert "BrokenPipeError" not in text and "stopping the twin and the platform" in text
    assert processes_of(data) == {}
    access = (data / "logs" / "access.log").read_text(encoding="utf-8")
    assert '"GET /healthz HTTP/1.1" 200' in access  # HTTP access lines: the file, not the terminal
    assert "HTTP/1.1" not in text


@pytest.mark.parametrize("with_credentials", [True, False])
def test_a_missing_key_beside_a_database_is_refused_and_no_key_is_made(
    tmp_path: Path, with_credentials: bool
) -> None:
    data = tmp_path / "data"
    cli(data, "init")
    if with_credentials:
        cli(data, "apply", str(Path(__file__).parents[2] / "examples" / "small.yaml"))
    key = data / "keys" / "subscriber-secrets.key"
    backup = key.read_bytes()
    key.unlink()
    database = (data / "openipn.db").stat()

    refused = run_to_end(data, free_port())

    said = " ".join(refused.stderr.split())
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert f"secrets key {key} is missing" in said
    assert "restore the key file" in said
    assert ("holds subscriber credentials sealed with key" in said) is with_credentials
    assert ("--new-secrets-key" in said) is not with_credentials
    assert not key.exists()  # never a new key
    assert (data / "openipn.db").stat().st_mtime_ns == database.st_mtime_ns
    init = cli(data, "init", check=False)  # `openipn init` (what make run called) refuses too
    assert init.returncode == 1 and "restore the key file" in " ".join(init.stderr.split())
    assert not key.exists()
    start_over = cli(data, "init", "--new-secrets-key", check=False)  # asked for: no SIM keys
    assert (start_over.returncode == 0) is not with_credentials, start_over.stderr
    assert key.exists() is not with_credentials
    key.write_bytes(backup)  # restoring the key is the way out
    assert cli(data, "inventory", "list", "gnb").returncode == 0


def test_a_new_key_for_a_database_without_credentials_only_when_asked(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    initialise(settings)
    settings.resolved_key_file.unlink()
    with pytest.raises(NotInitialisedError, match="--new-secrets-key"):
        initialise(settings)
    assert not settings.resolved_key_file.exists()
    assert any(
        "created secrets key" in line
        for line in initialise(settings, new_key_for_existing_database=True)
    )
    assert settings.resolved_key_file.exists()


def test_the_platform_and_the_twin_end_when_the_run_is_killed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run = start_run(data, free_port(), tmp_path / "run.txt")
    run.wait_for(READY)
    assert len(processes_of(data)) == 2
    os.kill(run.process.pid, signal.SIGKILL)  # no chance to stop them itself
    run.process.wait(timeout=10)
    deadline = time.monotonic() + 40
    while processes_of(data) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert processes_of(data) == {}  # nothing left holding the port or the store
    assert not healthy(run.url)


def test_make_run_calls_the_command_these_tests_drive() -> None:
    makefile = (Path(__file__).parents[2] / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun: ", 1)[1].split("\n\n", 1)[0]
    (command,) = [line.strip() for line in recipe.splitlines()[1:]]
    assert command.startswith("$(BIN)/openipn run ")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--site", "no/such/plant.yaml"), "example site file no/such/plant.yaml not found"),
        (("--port", "99999"), "less than or equal to 65535"),
        (("--port", "0"), "greater than or equal to 1"),
    ],
)
def test_a_run_refused_for_its_arguments_touches_nothing(
    tmp_path: Path, args: tuple[str, ...], reason: str
) -> None:
    data = tmp_path / "data"
    refused = run_to_end(data, free_port(), *args)
    said = " ".join(refused.stderr.split())
    assert refused.returncode != 0 and "Traceback" not in refused.stderr, refused.stderr
    assert reason in said
    assert not data.exists()  # no key, no database, no lock file
