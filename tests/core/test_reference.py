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
            assert all(isinstance(v, str) or (v is None and k == "zone") for k, v in row.items()), (group, row)
