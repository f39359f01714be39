"""The twin's NETCONF-over-SSH server, driven by a real ncclient or paramiko client."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ncclient.transport.session
import paramiko
import pytest
from ncclient import manager
from ncclient.operations import RPCError
from ncclient.transport.errors import AuthenticationError, TransportError
from ncclient.xml_ import to_ele

from openipn.codecs.netconf_xml import (
    Change,
    config_to_xml,
    edit_xml_for,
    to_string,
    xml_to_config,
)
from openipn.codecs.nrm_yang import NRM_CAPABILITY
from openipn.sitefile import parse_site_text
from openipn.twin.netconf import (
    CAPABILITIES,
    Datastore,
    ElementHooks,
    NetconfServer,
    NetconfSite,
    datastore_from_site,
    element_datastore,
)
from openipn.twin.netconf.filtering import subtree_filter
from openipn.twin.netconf.framing import FrameReader, FramingError, frame

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "small.yaml"
ME = "me-gnb-ws1-01"
CELL = f"ManagedElement={ME},GNBDUFunction=1,NRCellDU=1"  # keys: DU id, cellLocalId


def _site_power() -> float:
    """The transmit power the site file gives the test cell (the generator plans it)."""
    from openipn.model.radio import Cell

    cells = parse_site_text(EXAMPLE.read_text(encoding="utf-8")).objects("cells")
    return next(
        float(c.tx_power_dbm)
        for c in cells
        if isinstance(c, Cell) and c.gnb == "gnb-ws1-01" and c.cell_local_id == 1
    )


POWER = _site_power()
USER, PASSWORD = "oam", "twin-secret"
NRM = "urn:openipn:yang:openipn-nrm"


@dataclass
class Recorder:
    commits: list[tuple[str, list[Change]]] = field(default_factory=list)
    restarts: list[tuple[str, str]] = field(default_factory=list)

    def hooks(self) -> ElementHooks:
        return ElementHooks(
            on_commit=lambda element, changes: self.commits.append((element, changes)),
            state=lambda element, cls, path: (
                "DISABLED" if path == "GNBDUFunction=1,NRCellDU=2" else None
            ),
            on_restart=lambda element, target: self.restarts.append((element, target)),
        )


@pytest.fixture(autouse=True)
def fast_ncclient(monkeypatch: pytest.MonkeyPatch) -> None:
    """ncclient sends queued requests once per 0.1 s select tick; poll faster in tests."""
    monkeypatch.setattr(ncclient.transport.session, "TICK", 0.005)


@pytest.fixture(scope="module")
def site_tree() -> dict[str, Any]:
    return datastore_from_site(parse_site_text(EXAMPLE.read_text(encoding="utf-8")))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def server(site_tree: dict[str, Any], recorder: Recorder) -> Iterator[NetconfServer]:
    running = element_datastore(site_tree, ME)
    server = NetconfServer(ME, running, username=USER, password=PASSWORD, hooks=recorder.hooks())
    server.start()
    yield server
    server.stop()


def connect(port: int, password: str = PASSWORD) -> Any:
    return manager.connect(
        host="127.0.0.1",
        port=port,
        username=USER,
        password=password,
        hostkey_verify=False,
        look_for_keys=False,
        allow_agent=False,
        timeout=10,
    )


def cell_attributes(tree: dict[str, Any], cell: str = "1") -> dict[str, Any]:
    gnb = tree["ManagedElement"][ME]["GNBDUFunction"]["1"]
    attributes: dict[str, Any] = gnb["NRCellDU"][cell]["attributes"]
    return attributes


def set_cell(session: Any, **values: Any) -> None:
    session.edit_config(target="candidate", config=to_string(edit_xml_for(CELL, values)))


def test_hello_advertises_capabilities_and_negotiates_base_1_1(server: NetconfServer) -> None:
    with connect(server.port) as session:
        assert set(CAPABILITIES) <= set(session.server_capabilities)
        assert NRM_CAPABILITY in session.server_capabilities
        assert session.session_id == "1"
        session.get_config(source="running")  # a round trip: the server has read our hello
        assert [s.chunked for s in server.sessions.all()] == [True]


def test_get_config_returns_the_running_config(server: NetconfServer, site_tree: Any) -> None:
    with connect(server.port) as session:
        reply = session.get_config(source="running")
    assert xml_to_config(reply.data_ele) == element_datastore(site_tree, ME)


def test_lock_edit_commit_applies_exactly_the_changes(
    server: NetconfServer, recorder: Recorder
) -> None:
    with connect(server.port) as session:
        session.lock("candidate")
        set_cell(session, txPower=20.5, administrativeState="LOCKED")
        assert recorder.commits == []  # nothing happens before the commit
        session.commit()
        session.unlock("candidate")
        running = xml_to_config(session.get_config(source="running").data_ele)
    assert recorder.commits == [
        (
            ME,
            [
                Change(f"{CELL}/attributes/administrativeState", "UNLOCKED", "LOCKED"),
                Change(f"{CELL}/attributes/txPower", POWER, 20.5),
            ],
        )
    ]
    assert cell_attributes(running)["txPower"] == 20.5
    assert cell_attributes(server.running)["administrativeState"] == "LOCKED"


def test_get_adds_operational_state_and_filters_by_subtree(server: NetconfServer) -> None:
    cell_filter = (
        f'<ManagedElement xmlns="{NRM}"><GNBDUFunction><NRCellDU><id>2</id>'
        "<attributes><operationalState/></attributes></NRCellDU></GNBDUFunction></ManagedElement>"
    )
    with connect(server.port) as session:
        state = xml_to_config(session.get(filter=("subtree", cell_filter)).data_ele)
        config = session.get_config(source="running", filter=("subtree", cell_filter)).data_ele
    gnb = state["ManagedElement"][ME]["GNBDUFunction"]["1"]
    assert gnb["NRCellDU"] == {"2": {"attributes": {"operationalState": "DISABLED"}}}
    assert xml_to_config(config) == {}  # config has no state and the filter selects nothing


def test_invalid_pci_is_rejected_with_the_path_and_changes_nothing(
    server: NetconfServer, recorder: Recorder
) -> None:
    with connect(server.port) as session:
        set_cell(session, txPower=10)
        with pytest.raises(RPCError) as caught:
            set_cell(session, nRPCI=1012)
        candidate = xml_to_config(session.get_config(source="candidate").data_ele)
    assert caught.value.tag == "invalid-value"
    assert caught.value.path.strip().endswith("/oipn:attributes/oipn:nRPCI")
    assert "NRCellDU[oipn:id='1']" in caught.value.path
    assert "1012 is outside 0..1007" in caught.value.message
    assert cell_attributes(candidate)["nRPCI"] == 120
    assert cell_attributes(candidate)["txPower"] == 10.0  # the earlier edit is kept
    assert recorder.commits == []


def test_confirmed_commit_rolls_back_when_not_confirmed(
    server: NetconfServer, recorder: Recorder
) -> None:
    with connect(server.port) as session:
        set_cell(session, txPower=30)
        session.commit(confirmed=True, timeout="1")
        assert cell_attributes(server.running)["txPower"] == 30.0
        deadline = time.monotonic() + 5
        while server.datastores.confirm_pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        candidate = xml_to_config(session.get_config(source="candidate").data_ele)
    assert cell_attributes(server.running)["txPower"] == POWER
    assert cell_attributes(candidate)["txPower"] == POWER
    power = f"{CELL}/attributes/txPower"
    assert recorder.commits == [
        (ME, [Change(power, POWER, 30.0)]),
        (ME, [Change(power, 30.0, POWER)]),
    ]


def test_confirming_commit_keeps_and_cancel_commit_reverts(
    server: NetconfServer, recorder: Recorder
) -> None:
    with connect(server.port) as session:
        set_cell(session, antennaTilt=4)
        session.commit(confirmed=True, timeout="60")
        session.commit()
        assert not server.datastores.confirm_pending()
        set_cell(session, antennaTilt=6)
        session.commit(confirmed=True, timeout="60", persist="token-1")
        with pytest.raises(RPCError):
            session.cancel_commit()  # a persistent commit needs its persist-id
        session.cancel_commit(persist_id="token-1")
    assert cell_attributes(server.running)["antennaTilt"] == 4.0
    assert len(recorder.commits) == 3


def test_closing_the_session_rolls_back_its_confirmed_commit(server: NetconfServer) -> None:
    with connect(server.port) as session:
        set_cell(session, txPower=12)
        session.commit(confirmed=True, timeout="60")
    deadline = time.monotonic() + 5
    while server.datastores.confirm_pending() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert cell_attributes(server.running)["txPower"] == POWER


def test_discard_changes_restores_the_candidate(server: NetconfServer) -> None:
    with connect(server.port) as session:
        set_cell(session, cellIndividualOffset=-3)
        candidate = xml_to_config(session.get_config(source="candidate").data_ele)
        assert cell_attributes(candidate)["cellIndividualOffset"] == -3.0
        session.validate(source="candidate")
        session.discard_changes()
        candidate = xml_to_config(session.get_config(source="candidate").data_ele)
    assert candidate == server.running


def test_lock_held_by_one_session_denies_another(server: NetconfServer) -> None:
    first = connect(server.port)
    with connect(server.port) as second:
        first.lock("candidate")
        first.lock("running")
        with pytest.raises(RPCError) as denied:
            second.lock("candidate")
        assert denied.value.tag == "lock-denied"
        assert "<session-id>1</session-id>" in re.sub(r"\s|nc:", "", denied.value.info)
        with pytest.raises(RPCError) as in_use:
            set_cell(second, txPower=1)
        assert in_use.value.tag == "in-use"
        second.kill_session("1")
        assert server.datastores.holder(Datastore.RUNNING) is None
        second.lock("candidate")  # the killed session's locks are gone
    with pytest.raises(TransportError):
        first.close_session()


def test_restart_rpc_replies_with_a_status(server: NetconfServer, recorder: Recorder) -> None:
    target = f"ManagedElement={ME},GNBDUFunction=1"
    request = f'<restart xmlns="{NRM}"><target>{target}</target></restart>'
    with connect(server.port) as session:
        reply = session.dispatch(to_ele(request))
        with pytest.raises(RPCError) as caught:
            session.dispatch(to_ele(request.replace(ME, "me-other")))
    assert to_ele(reply.xml).find(f"{{{NRM}}}status").text == "accepted"
    assert recorder.restarts == [(ME, target)]
    assert caught.value.tag == "invalid-value"


def test_failing_commit_hook_leaves_running_unchanged(site_tree: Any) -> None:
    def refuse(element: str, changes: list[Change]) -> None:
        raise RuntimeError("radio unit busy")

    running = element_datastore(site_tree, ME)
    hooks = ElementHooks(on_commit=refuse)
    server = NetconfServer(ME, running, username=USER, password=PASSWORD, hooks=hooks)
    server.start()
    try:
        with connect(server.port) as session:
            set_cell(session, txPower=5)
            with pytest.raises(RPCError) as caught:
                session.commit()
        assert caught.value.tag == "operation-failed" and "busy" in caught.value.message
        assert server.running == running
    finally:
        server.stop()


def test_wrong_password_is_refused(server: NetconfServer) -> None:
    with pytest.raises(AuthenticationError):
        connect(server.port, password="wrong")


# --- raw framing -----------------------------------------------------------------------------


def client_hello(capability: str) -> str:
    return (
        '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
        f"<capability>{capability}</capability></capabilities></hello>"
    )


GET_CONFIG = (
    b'<rpc message-id="7" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
    b"<get-config><source><running/></source></get-config></rpc>"
)


def raw_channel(port: int) -> tuple[paramiko.SSHClient, Any]:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        "127.0.0.1",
        port=port,
        username=USER,
        password=PASSWORD,
        look_for_keys=False,
        allow_agent=False,
    )
    channel = client.get_transport().open_session()
    channel.settimeout(10)
    channel.invoke_subsystem("netconf")
    return client, channel


def read_message(channel: Any, reader: FrameReader) -> bytes:
    while (message := reader.pop()) is None:
        data = channel.recv(65536)
        assert data, "the server closed the channel"
        reader.feed(data)
    return message


def test_base_1_0_client_gets_end_of_message_framing(server: NetconfServer) -> None:
    client, channel = raw_channel(server.port)
    try:
        reader = FrameReader()
        assert b"base:1.1" in read_message(channel, reader)
        hello = client_hello("urn:ietf:params:netconf:base:1.0")
        channel.sendall(hello.encode() + b"]]>]]>" + GET_CONFIG + b"]]>]]>")
        reply = read_message(channel, reader)
    finally:
        client.close()
    assert b'message-id="7"' in reply and b"<nRPCI>120</nRPCI>" in reply
    assert not reply.startswith(b"\n#")


def test_base_1_1_client_may_split_a_message_into_chunks(server: NetconfServer) -> None:
    client, channel = raw_channel(server.port)
    try:
        reader = FrameReader()
        read_message(channel, reader)
        hello = client_hello("urn:ietf:params:netconf:base:1.1")
        chunks = b"".join(b"\n#%d\n%s" % (len(p), p) for p in (GET_CONFIG[:9], GET_CONFIG[9:]))
        channel.sendall(hello.encode() + b"]]>]]>" + chunks + b"\n##\n")
        reader.chunked = True
        reply = read_message(channel, reader)
    finally:
        client.close()
    assert b'message-id="7"' in reply and b"<nRPCI>120</nRPCI>" in reply


def test_frame_reader_handles_split_input_and_rejects_bad_headers() -> None:
    reader = FrameReader()
    reader.chunked = True
    stream = frame(b"<a/>", chunked=True) + b"\n#3\n<b/\n#1\n>\n##\n"
    for byte in stream:
        reader.feed(bytes([byte]))
    assert [reader.pop(), reader.pop(), reader.pop()] == [b"<a/>", b"<b/>", None]
    reader.feed(b"\n#0\n")
    with pytest.raises(FramingError):
        reader.pop()


def test_subtree_filter_selects_a_function_without_its_cells(site_tree: Any) -> None:
    data = config_to_xml(element_datastore(site_tree, ME), wrapper="data")
    gnb_filter = (
        f'<filter xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><ManagedElement xmlns="{NRM}">'
        "<GNBDUFunction><id>1</id><attributes/></GNBDUFunction></ManagedElement></filter>"
    )
    tree = xml_to_config(subtree_filter(data, to_ele(gnb_filter)))
    assert tree == {
        "ManagedElement": {
            ME: {
                "attributes": {},
                "GNBDUFunction": {"1": {"attributes": {"gNBId": 176129, "gNBIdLength": 24}}},
            }
        }
    }
    element_filter = (
        f'<filter><ManagedElement xmlns="{NRM}"><id>{ME}</id></ManagedElement></filter>'
    )
    assert xml_to_config(subtree_filter(data, to_ele(element_filter))) == element_datastore(
        site_tree, ME
    )
    assert len(subtree_filter(data, to_ele(gnb_filter.replace("<id>1</id>", "<id>9</id>")))) == 0


# --- the site -------------------------------------------------------------------------------


def test_datastore_from_site_places_functions_on_their_elements(site_tree: Any) -> None:
    elements = site_tree["ManagedElement"]
    assert set(elements) >= {ME, "me-upf-1", "me-mec-1", "me-core-1", "me-tsn-ws1"}
    assert set(elements["me-upf-1"]["UPFFunction"]) == {"upf-1"}
    assert set(elements["me-mec-1"]["EASFunction"]) == {"mec-1"}
    # An access link belongs to the element of its transport-node end, not of the gNB.
    assert "acc-gnb-ws1-01" in elements["me-tsn-ws1"]["EP_RP"]
    assert "EP_RP" not in elements[ME]
    cell = cell_attributes(site_tree)
    assert (cell["nRPCI"], cell["txPower"], cell["antennaTilt"]) == (120, POWER, 10.0)


def test_site_serves_each_element_on_its_own_port(site_tree: Any) -> None:
    with NetconfSite(site_tree, username=USER, password=PASSWORD) as site:
        ports = site.ports
        assert set(ports) == set(site_tree["ManagedElement"])
        assert len(set(ports.values())) == len(ports) and 0 not in ports.values()
        with connect(ports["me-upf-1"]) as session:
            tree = xml_to_config(session.get_config(source="running").data_ele)
    assert list(tree["ManagedElement"]) == ["me-upf-1"]


def test_an_element_refusing_sessions_rejects_even_good_credentials(
    server: NetconfServer,
) -> None:
    server.accepting = False  # what an expired certificate does (NetconfSite.refuse_sessions)
    with pytest.raises(AuthenticationError):
        connect(server.port)
    server.accepting = True
    with connect(server.port) as session:
        assert session.connected
