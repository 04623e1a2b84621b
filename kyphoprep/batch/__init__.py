"""Plans for a whole roster (``kyphoprep batch``): the runner, its worker processes and their files.

May import everything below the command line (``core``, ``data``, ``i18n``, ``io``,
``render``, ``errors``); never ``kyphoprep.cli``. It reports progress through a callback
and never prints.
"""
