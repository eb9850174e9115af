"""Ward discharge: the stay on the ward, its delayed days, the discharge and the zone's pick-up.

* :mod:`desk.discharge.delays`: the delayed-days rule, each day's reason, the delays view's counts and export;
* :mod:`desk.discharge.pickups`: a discharge the zone must pick up, raised on every desk until acknowledged;
* :mod:`desk.discharge.leaving`: recording the discharge: the package restarted, the zone told, the review set.
* :mod:`desk.discharge.stays`: recording an admission (the package suspended, its providers to tell,
  the tasks before the door), the co-ordinator's check, the plan from the ward's multidisciplinary
  meeting (discharge ready date, pathway, involvement, the day the package must be ready), the tasks,
  the ward screen's and stay screen's read models; which wards a co-ordinator covers;
* :mod:`desk.discharge.delays`: the delayed-days rule, each day's reason, the delays view's counts and export;
* :mod:`desk.discharge.pickups`: a discharge the zone must pick up, raised on every desk until acknowledged;
* :mod:`desk.discharge.leaving`: recording the discharge: the package restarted, the zone told, the review set.

Where desk.discharge.stays differs from the shared plan (discharge-spec.md):

* ``PlanInput.pathway`` may be ``""``: the pathway is not decided yet (the ward row then lists
  "No pathway" as outstanding). Anything else must be a key of desk.vocabulary.PATHWAYS.
* ``plan`` returns the id of the referral to a social worker it made when the pathway became 3
  (a first-time care home placement), else None.
* ``AdmissionInput.admitted_at`` and ``reason`` have defaults (None: now; ``""``). A naive
  ``admitted_at`` is read as UK local time (what a co-ordinator types).
* The "package" task (confirmed by the provider) is made at admission only for a person with an open
  package, and when the plan sets pathway 1 or 2 (new support to arrange); a care home bed when it sets 3.
* ``WardRow.delay_reason`` is the reason in words; ``StayView.delay_reason_key`` is its key.
* ``StayView`` is a ``WardRow`` (a frozen subclass) with the stay screen's extra fields.
* ``StayView.delay_days`` are desk.discharge.delays.DelayDayRow (the stays module's own stand-in,
  with ``reason_label``, is gone): every delayed day, oldest first, the reason's words in
  ``reason_words``; a day with no reason yet has ``reason`` "" (``.missing``). ``StayView.missing_days``
  are the days the ward must give a reason for now: as desk.discharge.delays.missing_days, less the
  discharge ready date itself while it is today and the patient still here (they may yet go today).
* ``plan`` drops the delayed days a ready date moved later leaves behind (desk.discharge.delays.settle).

No Textual here: the screens build on these services.
"""
