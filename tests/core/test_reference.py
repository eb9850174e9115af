"""The shipped reference data has the shape desk.services.reference types it with."""

from __future__ import annotations

from typing import get_type_hints

from desk.services import reference

ENTRIES = {
    "zones": reference.ZoneEntry,
    "practices": reference.PracticeEntry,
    "organisations": reference.OrganisationEntry,
    "staff": reference.StaffEntry,
}


def test_every_entry_has_the_keys_its_type_names_and_no_others() -> None:
    data = reference.shipped()
    assert set(get_type_hints(reference.ReferenceData)) == set(ENTRIES)
    for group, entry in ENTRIES.items():
        rows = data[group]
        assert rows, group
        for row in rows:
            allowed = entry.__required_keys__ | entry.__optional_keys__
            assert entry.__required_keys__ <= set(row) <= allowed, (group, row)
            assert all(
                isinstance(v, str)
                or (v is None and k == "zone")
                or (k == "wards" and v and all(isinstance(w, str) for w in v))
                for k, v in row.items()
            ), (group, row)


def test_each_ward_a_discharge_coordinator_covers_names_a_shipped_ward() -> None:
    data = reference.shipped()
    wards = [o["name"] for o in data["organisations"] if o["kind"] == "ward"]
    covering = [s for s in data["staff"] if s.get("wards")]
    assert {s["role"] for s in covering} == {"discharge_coordinator"}
    assert {s["zone"] for s in covering} == {z["id"] for z in data["zones"]}  # one in every zone
    for s in covering:
        for prefix in s.get("wards", []):
            assert [w for w in wards if w.startswith(prefix)], (s["name"], prefix)
