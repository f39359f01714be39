"""The alarm vocabulary shared by the twin, the codecs and the platform.

Event types, probable causes and perceived severities of ITU-T X.733 (with the X.736 security
types and causes), spelled as 3GPP TS 32.111-2 and TS 28.532 write them (``alarmType``,
``probableCause``, ``perceivedSeverity``). Wire formats that spell a value differently (VES 7
``eventSeverity``) translate at their codec; nothing else defines these words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class PerceivedSeverity(StrEnum):
    """Perceived severity: the six levels of X.733 §8.1.2.3 (TS 28.532 PerceivedSeverity)."""

    INDETERMINATE = "INDETERMINATE"
    CRITICAL = "CRITICAL"
    MAJOR = "MAJOR"
    MINOR = "MINOR"
    WARNING = "WARNING"
    CLEARED = "CLEARED"


class EventType(StrEnum):
    """Event (alarm) type: X.733 §8.1.1 and X.736 §8.1.1 (TS 32.111-2 / TS 28.532 AlarmType)."""

    COMMUNICATIONS_ALARM = "COMMUNICATIONS_ALARM"
    QUALITY_OF_SERVICE_ALARM = "QUALITY_OF_SERVICE_ALARM"
    PROCESSING_ERROR_ALARM = "PROCESSING_ERROR_ALARM"
    EQUIPMENT_ALARM = "EQUIPMENT_ALARM"
    ENVIRONMENTAL_ALARM = "ENVIRONMENTAL_ALARM"
    INTEGRITY_VIOLATION = "INTEGRITY_VIOLATION"
    OPERATIONAL_VIOLATION = "OPERATIONAL_VIOLATION"
    PHYSICAL_VIOLATION = "PHYSICAL_VIOLATION"
    SECURITY_SERVICE_OR_MECHANISM_VIOLATION = "SECURITY_SERVICE_OR_MECHANISM_VIOLATION"
    TIME_DOMAIN_VIOLATION = "TIME_DOMAIN_VIOLATION"


class ProbableCause(StrEnum):
    """Probable causes of X.733 §8.1.2.1 / X.721 and X.736 §8.1.2.1 (TS 32.111-2 Annex B).

    Equipment may send causes outside this list (vendor strings); the wire keeps them as text.
    """

    ADAPTER_ERROR = "adapterError"
    APPLICATION_SUBSYSTEM_FAILURE = "applicationSubsystemFailure"
    AUTHENTICATION_FAILURE = "authenticationFailure"
    BANDWIDTH_REDUCED = "bandwidthReduced"
    CALL_ESTABLISHMENT_ERROR = "callEstablishmentError"
    COMMUNICATIONS_PROTOCOL_ERROR = "communicationsProtocolError"
    COMMUNICATIONS_SUBSYSTEM_FAILURE = "communicationsSubsystemFailure"
    CONFIGURATION_OR_CUSTOMIZATION_ERROR = "configurationOrCustomizationError"
    CONGESTION = "congestion"
    CORRUPT_DATA = "corruptData"
    CPU_CYCLES_LIMIT_EXCEEDED = "cpuCyclesLimitExceeded"
    DEGRADED_SIGNAL = "degradedSignal"
    DENIAL_OF_SERVICE = "denialOfService"
    DUPLICATE_INFORMATION = "duplicateInformation"
    ENCLOSURE_DOOR_OPEN = "enclosureDoorOpen"
    EQUIPMENT_MALFUNCTION = "equipmentMalfunction"
    FILE_ERROR = "fileError"
    FIRE_DETECTED = "fireDetected"
    FRAMING_ERROR = "framingError"
    HEATING_OR_VENTILATION_OR_COOLING_SYSTEM_PROBLEM = "heatingOrVentilationOrCoolingSystemProblem"
    HUMIDITY_UNACCEPTABLE = "humidityUnacceptable"
    INTRUSION_DETECTION = "intrusionDetection"
    KEY_EXPIRED = "keyExpired"
    LOSS_OF_FRAME = "lossOfFrame"
    LOSS_OF_SIGNAL = "lossOfSignal"
    OUT_OF_MEMORY = "outOfMemory"
    OUT_OF_SERVICE = "outOfService"
    PERFORMANCE_DEGRADED = "performanceDegraded"
    POWER_PROBLEM = "powerProblem"
    PROCESSOR_PROBLEM = "processorProblem"
    QUEUE_SIZE_EXCEEDED = "queueSizeExceeded"
    RECEIVE_FAILURE = "receiveFailure"
    RECEIVER_FAILURE = "receiverFailure"
    RESOURCE_AT_OR_NEARING_CAPACITY = "resourceAtOrNearingCapacity"
    RESPONSE_TIME_EXCESSIVE = "responseTimeExcessive"
    SOFTWARE_ERROR = "softwareError"
    SOFTWARE_PROGRAM_ABNORMALLY_TERMINATED = "softwareProgramAbnormallyTerminated"
    STORAGE_CAPACITY_PROBLEM = "storageCapacityProblem"
    TEMPERATURE_UNACCEPTABLE = "temperatureUnacceptable"
    THRESHOLD_CROSSED = "thresholdCrossed"
    TIMING_PROBLEM = "timingProblem"
    TRANSMIT_FAILURE = "transmitFailure"
    TRANSMITTER_FAILURE = "transmitterFailure"
    UNAUTHORIZED_ACCESS_ATTEMPT = "unauthorizedAccessAttempt"
    UNDERLYING_RESOURCE_UNAVAILABLE = "underlyingResourceUnavailable"
    VERSION_MISMATCH = "versionMismatch"


class AlarmOrigin(StrEnum):
    """Who raised an alarm."""

    VES = "ves"  # the equipment, by a VES fault event or a 3GPP alarm notification
    PLATFORM = "platform"  # OpenIPN itself (e.g. heartbeat supervision)


@dataclass(frozen=True)
class AlarmReport:
    """One raise (any severity but CLEARED), update or clear (CLEARED) of an alarm.

    An alarm is identified while active by (source, object, condition); times are event times.
    """

    source: str
    object: str
    condition: str
    specific_problem: str
    severity: PerceivedSeverity
    at: dt.datetime  # event time, UTC
    origin: AlarmOrigin = AlarmOrigin.VES
    event_type: EventType | None = None
    probable_cause: str | None = None  # a ProbableCause, or the equipment's own text
    text: str = ""
    event_id: str | None = None

    @property
    def is_clear(self) -> bool:
        """True when this report clears the alarm (X.733 §8.1.2.3: cleared)."""
        return self.severity is PerceivedSeverity.CLEARED
