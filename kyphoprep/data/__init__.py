"""Data files read into core values: the built-in protocols and catalogue, a clinic's own files.

The built-in data (``checklists/*.toml``, shipped as ``kyphoprep.checklists``) is loaded by
``builtin``; ``protocols`` and ``catalogue`` read and validate protocol and medicine files,
with every problem named by file, step and field (``toml_fields`` holds what their readers
share); ``clinic_file`` reads a clinic's settings file and ``settings`` settles every setting
of one plan (command line, then clinic file, then built-ins). Modules here read files but
never the clock or the terminal. May import ``kyphoprep.core``, ``kyphoprep.i18n``,
``kyphoprep.io.text_rules`` and ``kyphoprep.errors``; never ``render``, ``batch`` or ``cli``.
"""
