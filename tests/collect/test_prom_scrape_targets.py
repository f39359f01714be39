"""Scrape targets from config files, the site model and the twin's endpoints file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openipn.collect.prom_targets import (
    ScrapeConfigError,
    ScrapeTarget,
    load_targets,
    parse_targets,
    targets_from_site,
    targets_from_twin,
)
from openipn.model.document import SiteDocument
from openipn.settings import Settings
from openipn.sitefile import check_site_text

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small.yaml"


def _small() -> SiteDocument:
    document, issues = check_site_text(SMALL.read_text(encoding="utf-8"), source=str(SMALL))
    assert not issues
    return document


def test_yaml_config_with_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scrape.yaml"
    path.write_text(
        "defaults: {interval_s: 30}\n"
        "targets:\n"
        "- {url: 'http://127.0.0.5:9090/metrics', nf_type: amf,\n"
        "   dn: 'ManagedElement=me-core-1,AMFFunction=amf-1'}\n"
        "- {url: 'http://127.0.0.7:9090/metrics', nf_type: UPF, interval_s: 10, timeout_s: 2,\n"
        "   dn: 'ManagedElement=me-upf-1,UPFFunction=upf-1', name: upf, exclude: ['VS.*']}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("OPENIPN_SCRAPE_CONFIG", str(path))
    targets = load_targets(Settings().scrape_config)  # type: ignore[arg-type]
    assert targets == [
        ScrapeTarget(
            "http://127.0.0.5:9090/metrics",
            "ManagedElement=me-core-1,AMFFunction=amf-1",
            "AMF",
            interval_s=30,
        ),
        ScrapeTarget(
            "http://127.0.0.7:9090/metrics",
            "ManagedElement=me-upf-1,UPFFunction=upf-1",
            "UPF",
            10,
            2,
            "upf",
            ("VS.*",),
        ),
    ]
    assert targets[0].name == targets[0].dn and targets[0].timeout_s == 5


def test_json_config_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "scrape.json"
    target = {"url": "http://h:1/metrics", "dn": "ManagedElement=a,SMFFunction=b", "nf_type": "SMF"}
    path.write_text(json.dumps({"targets": [target]}), encoding="utf-8")
    assert load_targets(path)[0].dn == "ManagedElement=a,SMFFunction=b"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"targets": [{"url": "ftp://x", "dn": "A=b", "nf_type": "AMF"}]}, "not an http"),
        ({"targets": [{"url": "http://x", "dn": "amf-1", "nf_type": "AMF"}]}, "is not a DN"),
        ({"targets": [{"url": "http://x", "dn": "A=b"}]}, "targets[0]: missing nf_type"),
        ({"targets": [{"url": "http://x", "dn": "A=b", "nf_type": "AMF", "port": 1}]}, "port"),
        (
            {"targets": [{"url": "http://x", "dn": "A=b", "nf_type": "AMF", "interval_s": 0}]},
            "interval_s must be positive",
        ),
        (
            {"targets": [{"url": "http://x", "dn": "A=b", "nf_type": "AMF", "timeout_s": 60}]},
            "at most interval_s",
        ),
        (
            {"targets": [{"url": "http://x", "dn": "A=b", "nf_type": "AMF"}] * 2},
            "appears twice",
        ),
        ({"targets": "x"}, "must be a list"),
        ({"target": []}, "unknown keys ['target']"),
    ],
)
def test_bad_config_is_named(data: dict[str, object], message: str) -> None:
    with pytest.raises(ScrapeConfigError) as error:
        parse_targets(data)
    assert message in str(error.value)


def test_bad_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("targets: [{url: 'http://x', dn: 'A=b'}]\n", encoding="utf-8")
    with pytest.raises(ScrapeConfigError, match=r"bad\.yaml: targets\[0\]: missing nf_type"):
        load_targets(path)


def test_targets_from_twin_endpoints_file(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.json"
    ports = {"amf-1": 4001, "smf-1": 4002, "pcf-1": 4003, "upf-1": 4004}
    endpoints.write_text(json.dumps({"metrics": ports, "provisioning": "http://x"}))
    targets = targets_from_twin(endpoints, _small(), interval_s=2, exclude=["RM.*"])
    by_name = {t.dn.rsplit("=", 1)[1]: t for t in targets}
    assert by_name["amf-1"].dn == "ManagedElement=me-core-1,AMFFunction=amf-1"
    assert by_name["upf-1"].dn == "ManagedElement=me-upf-1,UPFFunction=upf-1"
    assert by_name["upf-1"].url == "http://127.0.0.1:4004/metrics"
    assert {t.nf_type for t in targets} == {"AMF", "SMF", "PCF", "UPF"}
    assert all(t.interval_s == 2 and t.timeout_s <= 2 for t in targets)
    assert all(t.exclude == ("RM.*",) for t in targets)
    with pytest.raises(ScrapeConfigError, match="not in the site: \\['amf-9'\\]"):
        targets_from_twin({"metrics": {"amf-9": 1}}, _small())


def test_targets_from_site_metrics_urls() -> None:
    targets = targets_from_site(_small())
    assert targets, "small.yaml gives metrics_url to its UPF"
    upf = next(t for t in targets if t.nf_type == "UPF")
    assert (upf.url, upf.dn) == (
        "http://127.0.0.7:9090/metrics",
        "ManagedElement=me-upf-1,UPFFunction=upf-1",
    )
