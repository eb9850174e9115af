"""Checks every generated package must pass, in the demo and at trust scale, read through desk.packages."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from desk import clock
from desk.models import CarePackage, CarePackageItem, Person
from desk.package_models import CareStep
from desk.packages import arrange, assessments, authority, catalogue
from desk.packages.demo_stage import VALID_DAYS


def _only(ln: arrange.LineView) -> arrange.VersionView:
    """A one-line version, so arrange.diff says whether that line changed."""
    return arrange.VersionView(0, 0, None, "", None, "", datetime.now(UTC), "", "", (ln,), 0, 0, 0)


def current_rows_are_the_newest_version(session: Session, pkg: CarePackage) -> list[arrange.VersionView]:
    """The package's versions, numbered 1..n, its live items exactly the newest's lines; returns the versions."""
    versions = arrange.versions(session, pkg.id or 0)
    assert versions and [v.number for v in versions] == list(range(1, pkg.current_version + 1)), pkg.id
    newest = versions[-1]
    items = session.exec(select(CarePackageItem).where(CarePackageItem.package_id == pkg.id)).all()
    live = {it.line: it for it in items if it.state != "ended"}
    assert set(live) == {ln.line for ln in newest.lines}, pkg.id
    person = session.get(Person, pkg.person_id)
    assert person is not None
    cat = catalogue.load()
    for ln in newest.lines:
        it = live[ln.line]
        assert (it.service_id, it.provider_id, it.service, it.provider, it.detail) == (
            ln.service,
            ln.provider,
            ln.service_name,
            ln.provider_name,
            ln.detail,
        )
        assert (it.weekly_cost_pence, it.start_date, it.end_date) == (
            ln.cost_per_week_pence,
            ln.start_date,
            ln.end_date,
        )
        assert ln.provider in {p.id for p in cat.providers_of(ln.service, person.zone_id)}
    assert all(it.line not in live and it.end_date is not None for it in items if it.state == "ended")
    if versions[0].lines:
        assert pkg.started_on == min(ln.start_date for ln in versions[0].lines)
    for older, newer in zip(versions, versions[1:], strict=False):
        assert arrange.diff(older, newer), "each version changes something"
    assert (pkg.status == "ended") == (not newest.lines)
    assert session.exec(select(CareStep).where(CareStep.package_id == pkg.id, CareStep.line == None)).first()  # noqa: E711
    return versions


def versions_were_authorised(session: Session, pkg: CarePackage, versions: list[arrange.VersionView]) -> set[str]:
    """Each version rests on a recent assessment of the person that assessed the areas it changed; the roles."""
    cat = catalogue.load()
    roles: set[str] = set()
    older: arrange.VersionView | None = None
    for v in versions:
        assert v.assessment_id is not None and v.arranged_by_id is not None
        record = assessments.get(session, v.assessment_id)
        assert record.person_id == pkg.person_id and record.at <= v.arranged_at
        before = {ln.line: ln for ln in (older.lines if older else ())}
        changed = [ln for ln in v.lines if ln.line not in before or arrange.diff(_only(before[ln.line]), _only(ln))]
        on = clock.local(v.arranged_at).date()
        services = [cat.services[ln.service] for ln in changed]
        assert authority.refusal(record, services, today=on, valid_days=VALID_DAYS) is None, (pkg.id, v.number)
        assert all(ln.start_date >= record.assessed_on for ln in changed), (pkg.id, v.number)
        roles.add(record.assessor_role)
        older = v
    return roles
