"""What crosses kyphoprep's edge: what people type, rosters read, and files written safely.

``typed_input`` turns typed dates, times and zones into values without guessing;
``med_options`` reads ``--med`` values; ``roster`` streams a clinic's CSV roster;
``previous_plan`` reads an earlier plan's JSON (``--replaces``); ``safe_write`` writes an
output atomically and never over a file without ``--force``; ``text_rules`` is the one rule
for which characters a typed text may hold and how a message shows one that cannot be shown.
May import ``kyphoprep.core``, ``kyphoprep.data``, ``kyphoprep.i18n`` and
``kyphoprep.errors``; never ``render``, ``batch`` or ``cli``.
"""
