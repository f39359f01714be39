"""Subscriber rules: an IMSI-type SUPI belongs to the SNPN's PLMN and has a valid length."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from openipn.model.document import Issue, SiteDocument
from openipn.model.identifiers import PlmnId
from openipn.model.site import Snpn
from openipn.model.subscribers import Subscription

IMSI_PREFIX = "imsi-"
IMSI_MAX_DIGITS = 15  # TS 23.003 §2.2: an IMSI has not more than 15 digits


def imsi_plmn_problem(supi: str, plmn: PlmnId) -> str | None:
    """Why an IMSI-type SUPI cannot be a subscriber of `plmn`, or None (NAI SUPIs pass)."""
    if not supi.startswith(IMSI_PREFIX):
        return None
    imsi = supi.removeprefix(IMSI_PREFIX)
    home = plmn.mcc + plmn.mnc  # TS 23.003 §2.2: IMSI = MCC (3) + MNC (2 or 3) + MSIN
    if not imsi.startswith(home):
        return (
            f"IMSI {imsi} is not of this network's PLMN {plmn}: "
            f"expected it to start with MCC {plmn.mcc} + MNC {plmn.mnc} ({home}), TS 23.003 §2.2"
        )
    if len(imsi) > IMSI_MAX_DIGITS or len(imsi) == len(home):
        return (
            f"IMSI {imsi} has {len(imsi)} digits; after MCC+MNC {home} it needs an MSIN "
            f"and an IMSI has at most {IMSI_MAX_DIGITS} digits (TS 23.003 §2.2)"
        )
    return None


def check_subscription_plmns(doc: SiteDocument) -> Iterable[Issue]:
    """Every IMSI-type SUPI carries the SNPN's MCC and MNC and fits in 15 digits."""
    snpn = doc.singleton("snpn")
    if not isinstance(snpn, Snpn):
        return  # the missing or broken SNPN is reported by its own rule
    for position, sub in enumerate(doc.objects("subscriptions")):
        if not isinstance(sub, Subscription):
            continue
        problem = imsi_plmn_problem(sub.supi, snpn.plmn)
        if problem is not None:
            yield Issue(f"{doc.path('subscriptions', position)}.supi", problem)


SUBSCRIBER_CHECKS: tuple[Callable[[SiteDocument], Iterable[Issue]], ...] = (
    check_subscription_plmns,
)
