"""Settle every setting of a plan: the command line beats the clinic's file, which beats built-ins.

``resolve_settings`` is pure apart from loading the chosen protocol file. The
CLI passes what was typed as ``Overrides`` (None: not given) and the clinic's
``ClinicConfig`` if there is one; the result is used for one plan, or for every
row of a batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from kyphoprep.core.models import DateOrder, FastingRule, HoldRange, MedicineOrder, PlanRequest, Protocol
from kyphoprep.data.catalogue import builtin_revision
from kyphoprep.data.protocols import load_protocol, protocol_in_language

if TYPE_CHECKING:
    from kyphoprep.data.clinic_file import ClinicConfig

DEFAULT_PROTOCOL = "kyphoplasty"
DEFAULT_FASTING: FastingRule = "midnight"  # what the seeds say; a clinic can choose "asa"
DEFAULT_LANGUAGE = "en"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Overrides:
    """Settings given on the command line; None means "not given"."""

    timezone: str | None = None
    protocol: str | None = None
    arrive_minutes: int | None = None
    reminder_minutes: int | None = None
    fasting: FastingRule | None = None
    discreet_titles: bool | None = None
    language: str | None = None
    facility: str | None = None
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings a plan is made with, each settled from the three layers."""

    timezone: str | None
    """An IANA zone, or None for the computer's own zone."""
    protocol: Protocol
    arrive_minutes: int
    reminder_minutes: int
    fasting: FastingRule
    discreet_titles: bool
    language: str
    facility: str | None
    address: str | None
    phone: str | None
    hold_range: HoldRange = "longest"
    """Which end of a typical range the plan's medicines use (the clinic's choice)."""
    date_order: DateOrder | None = None
    """How the settings file says to read a date such as 03/12/2026 (--date-order beats it)."""


def _settled(*layers: T | None, default: T) -> T:
    """The first layer that sets a value, else *default*."""
    return next((value for value in layers if value is not None), default)


class _NoClinic:
    """What resolve_settings reads from a settings file, when there is none: nothing set."""

    language = procedure = timezone = fasting = discreet_titles = None
    arrive_minutes = reminder_minutes = clinic_name = clinic_address = clinic_phone = hold_range = None
    date_order = None


_NO_CLINIC = _NoClinic()


def resolve_settings(given: Overrides, config: ClinicConfig | None = None) -> Settings:
    """Settle each setting: *given* first, then *config*, then kyphoprep's default."""
    # Without a settings file, every clinic setting is "not set" (the config module is not needed).
    clinic = config if config is not None else _NO_CLINIC
    language = _settled(given.language, clinic.language, default=DEFAULT_LANGUAGE)
    protocol = load_protocol(_settled(given.protocol, clinic.procedure, default=DEFAULT_PROTOCOL))
    protocol = protocol_in_language(protocol, language)
    return Settings(
        timezone=_settled(given.timezone, clinic.timezone, default=None),
        protocol=protocol,
        arrive_minutes=_settled(given.arrive_minutes, clinic.arrive_minutes, default=protocol.arrive_minutes),
        reminder_minutes=_settled(
            given.reminder_minutes, clinic.reminder_minutes, default=protocol.reminder_minutes
        ),
        fasting=_settled(given.fasting, clinic.fasting, default=DEFAULT_FASTING),
        discreet_titles=_settled(given.discreet_titles, clinic.discreet_titles, default=True),
        language=language,
        facility=_settled(given.facility, clinic.clinic_name, default=None),
        address=_settled(given.address, clinic.clinic_address, default=None),
        phone=_settled(given.phone, clinic.clinic_phone, default=None),
        hold_range=_settled(clinic.hold_range, default="longest"),
        date_order=clinic.date_order,
    )


def make_request(
    settings: Settings,
    *,
    start: datetime,
    timezone: str,
    now: datetime,
    medicines: tuple[MedicineOrder, ...] = (),
    crcl: int | None = None,
    patient: str | None = None,
    driver: str | None = None,
    plan_id: str | None = None,
) -> PlanRequest:
    """The planner's input for one person, under *settings*."""
    return PlanRequest(
        procedure_start=start,
        timezone=timezone,
        now=now,
        protocol=settings.protocol,
        arrive_minutes=settings.arrive_minutes,
        reminder_minutes=settings.reminder_minutes,
        fasting=settings.fasting,
        discreet_titles=settings.discreet_titles,
        language=settings.language,
        medicines=medicines,
        crcl=crcl,
        patient=patient,
        driver=driver,
        facility=settings.facility,
        address=settings.address,
        phone=settings.phone,
        plan_id=plan_id,
        catalogue_revision=catalogue_revision(),
    )


def catalogue_revision() -> str:
    """The revision of the medicine catalogue the plan's advice comes from."""
    return builtin_revision()
