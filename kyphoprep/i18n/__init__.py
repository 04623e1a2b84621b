"""The languages of a plan: one registry (``languages``) and the words of each (``words``).

Adding a language is data (its column in ``checklists/messages.toml`` and its texts in the
protocol and catalogue files) plus one line in ``languages.LANGUAGES``; nothing else names a
language. May import ``kyphoprep.core.models``, ``kyphoprep.data.builtin`` and
``kyphoprep.errors``.
"""
