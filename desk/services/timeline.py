"""One timeline per person: health and social care side by side, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from desk import clock, phones, triage
from desk.crisis import story
from desk.models import (
    Admission,
    Alert,
    Assessment,
    Call,
    CarePackage,
    CarePackageItem,
    History,
    Organisation,
    Referral,
    Staff,
    Visit,
)
from desk.vocabulary import CALL_REASONS, DISCIPLINES, PATHWAYS

DEFAULT_LIMIT = 300


@dataclass(frozen=True)
class Entry:
    """One event on a person's timeline."""

    at: datetime
    side: str  # call | health | social | hospital | record
    title: str
    detail: str = ""
    by: str = ""


def _side(discipline: str) -> str:
    return DISCIPLINES.get(discipline, ("", "health"))[1]


def _label(discipline: str) -> str:
    return DISCIPLINES.get(discipline, (discipline, ""))[0]


def _morning(d: date) -> datetime:
    """A date-only event placed at 09:00 local so it sorts among timed ones."""
    return datetime.combine(d, time(9, 0), tzinfo=clock.LONDON).astimezone(UTC)


def _caller_phrase(call: Call) -> str:
    """Who rang, as read on the person's own timeline: 'them', 'carer Jean Pascoe (daughter)', a practice."""
    name, _, detail = call.caller_name.partition(": ")
    if call.caller_kind == "person":
        return "them"
    if call.caller_kind in ("carer", "relative") and detail:
        return f"{call.caller_kind} {detail}"
    if name:
        return name
    return phones.national(call.caller_e164) or call.caller_raw or "a withheld number"


def _referral_detail(r: Referral) -> str:
    """What the referral is for, and for one triaged from a call: who leads, when it is due, why it differs."""
    detail = " ".join(x for x in (r.reason, f"(from {r.source})" if r.source else "") if x)
    if not r.lead:
        return detail
    parts = [detail, f"{triage.LEADS.get(r.lead, r.lead)} leading"]
    if r.due_at is not None:
        parts.append(f"due {due_text(r.due_at, r.response)}")
    if r.change_why:
        parts.append(f"changed from the desk's proposal: {r.change_why}")
    return "; ".join(p for p in parts if p)


def due_text(due_at: datetime, response: str) -> str:
    """A due time in UK local time: with the time where the clock is hours, the date alone where it is days."""
    local = clock.local(due_at)
    if response in triage.HOUR_BASED:
        return f"{local:%d-%b-%Y %H:%M}"
    return f"{local:%d-%b-%Y}"


def _money(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def _package_entries(session: Session, person_id: int, staff: dict[int | None, str], out: list[Entry]) -> set[int]:
    """Each version of the person's packages (its authority, who, why, the difference in words), each dated
    step of the package and its services, and each review raised and recorded; returns the packages that
    have versions (their items are not listed again as started and ended)."""
    from desk.crisis.reminders import REVIEW_KINDS
    from desk.package_models import CarePackageVersion, PackageReview
    from desk.packages import arrange, reviews

    package_ids = [
        pid
        for pid in session.exec(
            select(CarePackageVersion.package_id)
            .join(CarePackage, col(CarePackage.id) == col(CarePackageVersion.package_id))
            .where(CarePackage.person_id == person_id)
            .distinct()
        )
    ]
    mine: list[Entry] = []  # oldest first; added newest first, so entries at the same moment read newest first
    for package_id in package_ids:
        views = arrange.versions(session, package_id)
        services: dict[int, str] = {}
        before: arrange.VersionView | None = None
        for v in views:
            services.update({ln.line: ln.service_name for ln in v.lines})
            change = (
                arrange.diff(before, v) if before is not None else [f"{ln.service_name}: {ln.detail}" for ln in v.lines]
            )
            authority = f"On the assessment of {v.assessor}" if v.assessor else "With no assessment recorded"
            cost = f"{v.hours_per_week:g} hours of care a week, {_money(v.cost_per_week_pence)} a week"
            title = "Package set up (version 1)" if before is None else f"Package changed (version {v.number})"
            detail = "\n".join(x for x in (f"{authority}. Why: {v.why}", "; ".join(change), cost) if x)
            mine.append(Entry(v.arranged_at, "social", title, detail, v.arranged_by or v.desk))
            before = v
        for st in arrange.steps(session, package_id):
            what = "Package" if st.line is None else f"Package: {services.get(st.line, 'a service')}"
            note = "; ".join(x for x in (f"confirmed by {st.confirmed_by}" if st.confirmed_by else "", st.note) if x)
            state = arrange.STATES.get(st.state, st.state).lower()
            mine.append(Entry(st.at, "social", f"{what} {state} on {st.on:%d-%b-%Y}", note, staff.get(st.by_id, "")))
    for r in session.exec(
        select(PackageReview).where(PackageReview.person_id == person_id).order_by(col(PackageReview.id))
    ):
        kind = REVIEW_KINDS.get(r.kind, r.kind)
        if r.raised_at is not None:
            due = f"due {clock.local(r.due_at):%d-%b-%Y %H:%M}"
            mine.append(Entry(r.raised_at, "social", f"Package review due: {kind}", due, r.raised_by_desk))
        if r.state == "done" and r.done_at is not None and r.outcome != "replaced":
            mine.append(
                Entry(
                    r.done_at,
                    "social",
                    f"Package review recorded: {reviews.outcome_words(r.outcome, r.package_version)}",
                    r.note,
                    staff.get(r.done_by_id, "") if r.done_by_id else "",
                )
            )
    out.extend(reversed(mine))
    return set(package_ids)


def _stay_entries(session: Session, person_id: int, staff: dict[int | None, str], out: list[Entry]) -> None:
    """Each hospital stay: admitted (and why), each discharge ready date and pathway as the ward recorded them
    (from the stay's history, with who), and the discharge with what was put in place for the zone."""
    from desk.discharge_models import ZonePickup

    stays = session.exec(
        select(Admission, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Admission.ward_id))
        .where(Admission.person_id == person_id)
    ).all()
    if not stays:
        return
    ids = [adm.id for adm, _ in stays]
    put_in_place = dict(
        session.exec(
            select(ZonePickup.admission_id, ZonePickup.put_in_place).where(col(ZonePickup.admission_id).in_(ids))
        ).all()
    )
    homes = dict(session.exec(select(Organisation.id, Organisation.name).where(Organisation.kind == "care_home")).all())
    plans: dict[str, list[History]] = {}
    for h in session.exec(
        select(History)
        .where(History.person_id == person_id, History.entity == "admission", History.action == "update")
        .order_by(col(History.id))
    ):
        plans.setdefault(h.entity_id, []).append(h)
    for adm, ward in stays:
        by = staff.get(adm.recorded_by_id, "") if adm.recorded_by_id else ""
        out.append(Entry(adm.admitted_at, "hospital", f"Admitted to {ward}", adm.reason, by))
        if adm.medically_fit_at:
            out.append(Entry(adm.medically_fit_at, "hospital", "Medically fit for discharge", ward))
        said_ready = said_pathway = False
        for h in plans.get(str(adm.id), []):
            after = h.after or {}
            who = staff.get(h.staff_id, "") if h.staff_id else h.desk
            if "ready_on" in after:
                said_ready = True
                day = date.fromisoformat(after["ready_on"]) if after["ready_on"] else None
                title = f"Discharge ready date: {day:%d-%b-%Y}" if day else "Discharge ready date cleared"
                out.append(Entry(h.at, "hospital", title, ward, who))
            if "pathway" in after:
                said_pathway = True
                pathway = after["pathway"]
                home = homes.get(after.get("placement_id") or adm.placement_id or 0, "") if pathway == "3" else ""
                title = PATHWAYS.get(pathway, "Pathway not decided")
                out.append(Entry(h.at, "hospital", title, f"Placement: {home}" if home else ward, who))
        planned_at = adm.ready_recorded_at or adm.admitted_at
        if adm.ready_on and not said_ready:  # a stay recorded without its history (a seeded one)
            out.append(Entry(planned_at, "hospital", f"Discharge ready date: {adm.ready_on:%d-%b-%Y}", ward))
        if adm.pathway and not said_pathway:
            out.append(Entry(planned_at, "hospital", PATHWAYS.get(adm.pathway, adm.pathway), ward))
        if adm.discharged_at:
            detail = "\n".join(
                x
                for x in (
                    f"Put in place: {put_in_place[adm.id]}" if adm.id in put_in_place else "",
                    adm.discharge_note,
                    f"Without the provider's confirmation: {adm.unconfirmed_why}" if adm.unconfirmed_why else "",
                )
                if x
            )
            who = staff.get(adm.discharged_by_id, "") if adm.discharged_by_id else ""
            out.append(Entry(adm.discharged_at, "hospital", f"Discharged from {ward}", detail, who))


def timeline(session: Session, person_id: int, *, limit: int = DEFAULT_LIMIT) -> list[Entry]:
    """The newest ``limit`` events about a person, from every source, merged."""
    staff = {s.id: s.name for s in session.exec(select(Staff))}
    out: list[Entry] = []

    for c in session.exec(
        select(Call).where(Call.person_id == person_id).order_by(col(Call.started_at).desc()).limit(limit)
    ):
        caller = _caller_phrase(c)
        reason = CALL_REASONS.get(c.reason, c.reason) or "call in progress"
        text = "\n".join(x for x in (c.notes, f"Outcome: {c.outcome}" if c.outcome else "") if x)
        status = "" if c.status == "finished" else " (unfinished)"
        out.append(
            Entry(c.started_at, "call", f"Call: {reason}{status} from {caller}", text, staff.get(c.taken_by_id, ""))
        )

    for v in session.exec(
        select(Visit).where(Visit.person_id == person_id).order_by(col(Visit.at).desc()).limit(limit)
    ):
        out.append(
            Entry(v.at, _side(v.discipline), f"Visit: {_label(v.discipline)}", v.note, staff.get(v.staff_id, ""))
        )

    for a in session.exec(
        select(Assessment).where(Assessment.person_id == person_id).order_by(col(Assessment.at).desc()).limit(limit)
    ):
        out.append(
            Entry(
                a.at, _side(a.discipline), f"Assessment: {_label(a.discipline)}", a.summary, staff.get(a.staff_id, "")
            )
        )

    for r in session.exec(
        select(Referral).where(Referral.person_id == person_id).order_by(col(Referral.received_at).desc()).limit(limit)
    ):
        crisis = "CRISIS " if r.crisis else ""
        out.append(
            Entry(
                r.received_at,
                _side(r.discipline),
                f"{crisis}Referral to {_label(r.discipline)} ({r.response if r.lead else r.urgency})",
                _referral_detail(r),
                staff.get(r.triaged_by_id, "") if r.triaged_by_id else "",
            )
        )
        for at, by, what in (
            (r.first_contact_at, r.first_contact_by_id, "first contact"),
            (r.assessed_at, r.assessed_by_id, "assessed"),
            (r.services_at, r.services_by_id, "services in place"),
        ):
            if at is not None:
                out.append(
                    Entry(
                        at,
                        _side(r.discipline),
                        f"Referral to {_label(r.discipline)}: {what}",
                        "",
                        staff.get(by, "") if by else "",
                    )
                )
        if r.closed_at:
            out.append(Entry(r.closed_at, _side(r.discipline), f"Referral to {_label(r.discipline)} closed"))

    versioned = _package_entries(session, person_id, staff, out)
    items = session.exec(
        select(CarePackageItem)
        .join(CarePackage, col(CarePackage.id) == col(CarePackageItem.package_id))
        .where(CarePackage.person_id == person_id)
    ).all()
    for it in items:
        if it.package_id in versioned:  # its versions and steps say it, with more
            continue
        cost = f" £{it.weekly_cost_pence / 100:,.2f}/wk" if it.weekly_cost_pence else ""
        out.append(
            Entry(
                _morning(it.start_date),
                "social",
                f"Package: {it.service} started",
                f"{it.detail} ({it.provider}){cost}".strip(),
            )
        )
        if it.end_date:
            out.append(Entry(_morning(it.end_date), "social", f"Package: {it.service} ended", it.detail))

    _stay_entries(session, person_id, staff, out)

    name_of = staff.get
    for ev in story.events(session, person_id, lambda sid: name_of(sid, "") if sid else "", limit=limit):
        out.append(Entry(ev.at, "health", ev.title, ev.detail, name_of(ev.by_id, "") if ev.by_id else ""))

    for al in session.exec(select(Alert).where(Alert.person_id == person_id)):
        out.append(Entry(al.raised_at, "record", "Alert raised", al.text))

    for h in session.exec(
        select(History)
        .where(History.person_id == person_id, col(History.entity).in_(("person", "contact")))
        .order_by(col(History.at).desc())
        .limit(limit)
    ):
        what = (
            "Registered"
            if h.action == "create" and h.entity == "person"
            else ("Contact added" if h.action == "create" else "Record changed")
        )
        fields = ", ".join(sorted((h.after or {}).keys())) if h.action != "create" else ""
        detail = " - ".join(x for x in (h.why, fields) if x)
        out.append(Entry(h.at, "record", what, detail, staff.get(h.staff_id, "") if h.staff_id else h.desk))

    out.sort(key=lambda e: e.at, reverse=True)
    return out[:limit]
