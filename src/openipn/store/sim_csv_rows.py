"""Reading a SIM CSV file: text, header and one checked Subscription per row, every error kept.

K, OP and OPc values are never put into an error message: cells that hold them are only ever
described, and any message that happens to contain one is redacted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from pydantic import SecretStr, ValidationError

from openipn.model.subscribers import Subscription
from openipn.secure.milenage import compute_opc

COLUMNS = (
    "imsi",
    "supi",
    "iccid",
    "k",
    "op",
    "opc",
    "amf",
    "profile",
    "imei",
    "auth_method",
    "sqn",
    "description",
)
SECRET_COLUMNS = ("k", "op", "opc")
IMSI_RE = re.compile(r"^(?:imsi-)?([0-9]{6,15})$")
LOOKS_LIKE_DATA = re.compile(r"^[0-9A-Fa-f]{6,}$")
DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
REDACTED = "(secret)"
MIN_REDACTED = 8  # shorter cells are too short to be a key, and would mangle messages


@dataclass(frozen=True)
class RowError:
    """One problem in a SIM file; row 0 is the file or header, line 0 an unknown place."""

    row: int
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row:
            where = f"row {self.row} (line {self.line})"
        elif self.line:
            where = f"line {self.line}"
        else:  # a whole-file problem, or a network rule that names no row (column: its path)
            return f"{self.column}: {self.message}" if self.column else self.message
        return (
            f"{where}, column {self.column}: {self.message}"
            if self.column
            else f"{where}: {self.message}"
        )


class SimCsvError(ValueError):
    """A SIM file that cannot be read as a table (encoding, header, delimiter, empty)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


def _file_error(message: str, line: int = 0, column: str = "") -> SimCsvError:
    return SimCsvError([RowError(0, line, column, message)])


@dataclass(frozen=True)
class Table:
    """The header (canonical column name -> position) and the non-blank data records."""

    columns: dict[str, int]
    records: list[tuple[int, list[str]]]  # (first file line, cells)

    @property
    def id_column(self) -> str:
        """The column that names the SUPI: `imsi` or `supi`."""
        return "imsi" if "imsi" in self.columns else "supi"

    @property
    def opc_column(self) -> str:
        """How to name the OP/OPc column(s) in a message."""
        return "/".join(name for name in ("op", "opc") if name in self.columns)


@dataclass(frozen=True)
class SimRow:
    """A row that passed its own checks: the subscription (OP already turned into OPc)."""

    number: int
    line: int
    sub: Subscription
    k: bytes
    opc: bytes


def decode(source: Path | TextIO | BinaryIO) -> str:
    """The file's text (UTF-8, an Excel byte-order mark allowed); a binary stream works too."""
    if isinstance(source, Path):
        try:
            return _decode_bytes(source.read_bytes())
        except OSError as exc:
            raise _file_error(f"cannot read {source}: {exc.strerror}") from None
    try:
        text: str | bytes = source.read()
    except UnicodeDecodeError:
        raise _file_error("not UTF-8 text; save the file as 'CSV UTF-8'") from None
    return _decode_bytes(text) if isinstance(text, bytes) else text.removeprefix("\ufeff")


def _decode_bytes(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text (byte {exc.start + 1}); save the file as 'CSV UTF-8'"
        raise _file_error(message, line) from None


def read_table(text: str) -> Table:
    """Split the text into header and records; raise SimCsvError when it is not a SIM table."""
    if not text.strip():
        raise _file_error("the file is empty; expected a header row such as 'imsi,iccid,k,opc'")
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous = 0
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as exc:
        problem = str(exc)
        if problem == "unexpected end of data":
            problem = "a quoted field that starts here is never closed"
        raise _file_error(f"not a readable CSV file: {problem}", previous + 1) from None
    if not records:
        raise _file_error("the file has no header row and no data, only blank fields")
    (header_line, header), data = records[0], records[1:]
    columns = _header(header, header_line)
    if not data:
        raise _file_error("the file has a header but no SIM rows", header_line)
    return Table(columns, data)


def _header(cells: list[str], line: int) -> dict[str, int]:
    names = [cell.strip().lower() for cell in cells]
    if any(LOOKS_LIKE_DATA.match(name) for name in names):
        raise _file_error(
            "the first row looks like data, not a header; add a header row such as "
            "'imsi,iccid,k,opc,profile'",
            line,
        )
    if len(names) == 1:
        for delimiter, called in DELIMITERS.items():
            if delimiter in cells[0]:
                raise _file_error(
                    f"the header has one column; the file seems to be separated "
                    f"by {called}: separate columns with commas",
                    line,
                )
    problems = _header_problems(names)
    if problems:
        raise SimCsvError([RowError(0, line, "", problem) for problem in problems])
    return {name: index for index, name in enumerate(names)}


def _header_problems(names: list[str]) -> list[str]:
    problems: list[str] = []
    unknown = [name or "(blank)" for name in names if name not in COLUMNS]
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}")
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        problems.append(f"column(s) {', '.join(twice)} appear more than once")
    present = set(names)
    if {"imsi", "supi"} <= present:
        problems.append("give an imsi or a supi column, not both")
    for label, options in (("imsi (or supi)", {"imsi", "supi"}), ("k", {"k"})):
        if not options & present:
            problems.append(f"required column {label} is missing")
    if not {"op", "opc"} & present:
        problems.append("required column opc (or op) is missing")
    return problems


def parse_row(table: Table, number: int, line: int, cells: list[str]) -> SimRow | list[RowError]:
    """The row as a checked subscription, or all of its errors."""
    if len(cells) != len(table.columns):
        message = f"expected {len(table.columns)} fields as in the header, found {len(cells)}"
        return [RowError(number, line, "", message)]
    values = {name: cells[index].strip() for name, index in table.columns.items()}
    raw, problems = _raw_fields(table, values)
    sub: Subscription | None = None
    try:
        sub = Subscription.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(table, exc))
    if problems or sub is None:
        secrets = [values[name] for name in SECRET_COLUMNS if values.get(name)]
        return [RowError(number, line, col, _redact(msg, secrets)) for col, msg in problems]
    return _with_opc(number, line, sub)


def _raw_fields(
    table: Table, values: Mapping[str, str]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    raw: dict[str, Any] = {name: value for name, value in values.items() if value}
    problems: list[tuple[str, str]] = []
    identity = raw.pop(table.id_column, "")
    if not identity:
        problems.append((table.id_column, "required"))
    elif table.id_column == "supi":
        raw["supi"] = identity
    elif match := IMSI_RE.match(identity):
        raw["supi"] = f"imsi-{match.group(1)}"
    else:
        problems.append(("imsi", f"{identity!r} is not an IMSI (6 to 15 digits)"))
    if "k" not in raw:
        problems.append(("k", "required"))
    given = [name for name in ("op", "opc") if name in raw]
    if not given:
        problems.append((table.opc_column, "required: give op or opc"))
    elif len(given) == 2:
        problems.append(("op/opc", "give op or opc, not both"))
    return raw, problems


def _pydantic_problems(table: Table, exc: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False, include_input=False):
        if error["type"] == "missing":
            continue  # only the SUPI is required by the model, and that is reported already
        field = str(error["loc"][0]) if error["loc"] else ""
        column = table.id_column if field == "supi" else field
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append((column, message))
    return problems


def _redact(message: str, secrets: list[str]) -> str:
    for secret in secrets:
        if len(secret) >= MIN_REDACTED and secret in message:
            message = message.replace(secret, REDACTED)
    return message


def _with_opc(number: int, line: int, sub: Subscription) -> SimRow:
    assert sub.k is not None
    k = bytes.fromhex(sub.k.get_secret_value())
    if sub.opc is not None:
        return SimRow(number, line, sub, k, bytes.fromhex(sub.opc.get_secret_value()))
    assert sub.op is not None
    opc = compute_opc(k, bytes.fromhex(sub.op.get_secret_value()))
    converted = sub.model_copy(update={"op": None, "opc": SecretStr(opc.hex())})
    return SimRow(number, line, converted, k, opc)
