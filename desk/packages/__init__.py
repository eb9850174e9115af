"""Care packages arranged and changed on a professional's assessment.

* :mod:`desk.packages.catalogue`: the services and providers a zone arranges (``data/care_catalogue.json``);
* :mod:`desk.packages.assessments`: professionals' assessments, never edited, corrected by new ones;
* :mod:`desk.packages.authority`: whether an assessment may authorise a change (recent, the areas it assessed);
* :mod:`desk.packages.la_rules`: the named rules that still need the local authority (a social worker);
* :mod:`desk.packages.arrange`: packages and their versions, the difference between versions, states, providers told;
* :mod:`desk.packages.targets`: requested and available, the 28- and 7-day targets and the waiting list;
* :mod:`desk.packages.reviews`: the four-week and yearly reviews, raised once on every desk of the zone;
* :mod:`desk.packages.config`: what a zone's configuration says about all of the above.

No Textual here: the screens build on these services.
"""
