"""Ward discharge: the stay on the ward, its delayed days, the discharge and the zone's pick-up.

* :mod:`desk.discharge.delays`: the delayed-days rule, each day's reason, the delays view's counts and export;
* :mod:`desk.discharge.pickups`: a discharge the zone must pick up, raised on every desk until acknowledged;
* :mod:`desk.discharge.leaving`: recording the discharge: the package restarted, the zone told, the review set.

No Textual here: the screens build on these services.
"""
