"""The crisis line: triaged referrals, the duty roster, escalation, liaison, reminders, handover.

Plain functions a screen calls with a session, an actor and a typed input,
returning named results. Every change writes its history in the same
transaction; bad input raises :class:`~desk.errors.InvalidForm` and writes nothing.
"""
