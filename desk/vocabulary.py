"""The words the zone's records are written in: roles, disciplines, reasons, urgencies.

Plain dictionaries with no ORM behind them, so anything (a screen drawn
before SQLAlchemy has loaded, a report, a test) can use them cheaply.
"""

from __future__ import annotations

ROLES: dict[str, str] = {
    "coordinator": "Health and social care co-ordinator",
    "crisis_worker": "Crisis hotline",
    "discharge_coordinator": "Ward discharge co-ordinator",
    "nurse": "Community nurse",
    "physiotherapist": "Physiotherapist",
    "occupational_therapist": "Occupational therapist",
    "social_worker": "Social worker",
    "support_worker": "Support worker",
    "zone_manager": "Zone manager",
}

DISCIPLINES: dict[str, tuple[str, str]] = {
    # discipline: (label, side)
    "nursing": ("Nursing", "health"),
    "physiotherapy": ("Physiotherapy", "health"),
    "occupational_therapy": ("Occupational therapy", "health"),
    "social_work": ("Social work", "social"),
    "support": ("Support work", "social"),
}

# The role of the professional each discipline's work is done by.
DISCIPLINE_ROLES: dict[str, str] = {
    "nursing": "nurse",
    "physiotherapy": "physiotherapist",
    "occupational_therapy": "occupational_therapist",
    "social_work": "social_worker",
    "support": "support_worker",
}

# Disciplines whose professional may be someone's key worker, the likeliest first.
KEY_WORKER_DISCIPLINES: tuple[str, ...] = ("nursing", "social_work", "occupational_therapy", "physiotherapy")

ORG_KINDS: dict[str, str] = {
    "ward": "Hospital ward",
    "care_home": "Care home",
    "ambulance": "Ambulance service",
    "other": "Other organisation",
}

CALL_REASONS: dict[str, str] = {
    "advice": "Advice",
    "new_referral": "New referral",
    "change_in_need": "Change in need",
    "crisis": "Crisis",
    "discharge": "Discharge",
    "professional_update": "Update from a professional",
    "other": "Other",
}

URGENCIES: dict[str, str] = {"rapid": "Rapid", "fast": "Fast", "normal": "Normal"}

# Administrative sex as NHS systems record it.
SEXES: tuple[str, ...] = ("Female", "Male", "Indeterminate", "Not known")

# Who a caller was recognised as (Call.caller_kind); ORG_KINDS keys are kinds too.
CALLER_KINDS: dict[str, str] = {
    "person": "The person themselves",
    "carer": "Carer",
    "relative": "Relative or contact",
    "practice": "GP practice",
    "staff": "Zone staff",
    "unknown": "Unknown number",
    "unlisted": "None of those on record for a shared number",
    "emergency": "Emergency services (999, 112)",
    "nhs_111": "NHS 111",
    "service": "Another short service number",
    **ORG_KINDS,
}

# --- assessments and care packages (desk.packages) ---------------------------------

AREAS_OF_NEED: dict[str, str] = {
    "personal_care": "Personal care",
    "mobility_falls": "Mobility and falls",
    "eating_drinking": "Eating and drinking",
    "medicines": "Medicines",
    "continence": "Continence",
    "skin": "Skin",
    "memory_mood": "Memory and mood",
    "night_time": "Night-time",
    "carer_strain": "Carer strain",
    "home_environment": "Home environment and equipment",
}
"""The areas of need an assessment finds on, in the order the form asks them."""

NEED_LEVELS: dict[str, str] = {
    "none": "No need",
    "low": "Low: prompting or occasional help",
    "moderate": "Moderate: help most days",
    "high": "High: help every day",
    "critical": "Critical: at risk without help now",
}
"""How much help a finding says the person needs in one area, least first."""

ASSESSOR_ROLES: dict[str, tuple[str, str, frozenset[str]]] = {
    # assessor role: (label, discipline, the staff roles that may assess in it)
    "district_nurse": ("District nurse", "nursing", frozenset({"nurse"})),
    "community_matron": ("Community matron", "nursing", frozenset({"nurse"})),
    "physiotherapist": ("Physiotherapist", "physiotherapy", frozenset({"physiotherapist"})),
    "occupational_therapist": ("Occupational therapist", "occupational_therapy", frozenset({"occupational_therapist"})),
    "social_worker": ("Social worker", "social_work", frozenset({"social_worker"})),
}
"""Who assesses: the role an assessment is made in, its discipline, and the staff roles that hold it."""

ASSESSMENT_PLACES: dict[str, str] = {
    "home": "At home",
    "ward": "On a hospital ward",
    "care_home": "In a care home",
    "phone": "By phone",
}
"""Where an assessment was made."""

# --- ward discharge (desk.discharge) ------------------------------------------

PATHWAYS: dict[str, str] = {
    "0": "Pathway 0: home, no new support or the old package restarted",
    "1": "Pathway 1: home with new or more support",
    "2": "Pathway 2: a bed-based rehabilitation or reablement stay",
    "3": "Pathway 3: a first-time care home placement",
}
"""The national discharge pathways. A resident going back to their own care home is pathway 0."""

DISCHARGE_TASKS: dict[str, str] = {
    "package": "Package confirmed by the provider",
    "equipment": "Equipment delivered",
    "transport": "Transport",
    "medicines": "Medicines to take home",
    "summary": "Discharge summary",
    "care_home_bed": "A care home bed",
    "agreement": "Patient's or family's agreement",
}
"""What stands between a patient and the door, each with an owner and a state."""

TASK_STATES: dict[str, str] = {
    "outstanding": "Outstanding",
    "in_hand": "In hand",
    "done": "Done",
    "not_needed": "Not needed",
}
"""Where one of those stands; done and not needed no longer stand in the way."""

DELAY_REASONS: dict[str, str] = {
    "care_at_home": "Awaiting assessment or care at home",
    "community_bed": "Awaiting a rehabilitation or community bed",
    "care_home_bed": "Awaiting a care home bed",
    "medical": "Awaiting a medical decision or discharge summary",
    "therapy": "Awaiting a therapy decision",
    "equipment": "Awaiting equipment or adaptations",
    "transport": "Awaiting transport",
    "medicines": "Awaiting medicines",
    "disagreement": "Patient or family disagreement",
    "other": "Other",
}
"""Why a patient past their discharge ready date is still in hospital: the national categories."""
