"""The synthetic trust: the shared words, numbers and rules of the demo zone and the trust-scale seed.

Two generators make the same trust at two sizes: :mod:`desk.demo` (a hand-tuned
zone of about 2,000 people, written through the ORM) and :mod:`desk.scale`
(``desk seed``: the whole trust, written in bulk). Everything they share lives
here and in ``data/synthetic_vocabulary.json`` so the two never drift apart.
"""
