"""The pure core: the values of a plan and the one planner that makes them.

What lives here works out a plan from a request and nothing else: the value objects
(``models``), where a timing rule lands (``timing``), the planner, the steps a medicine
adds (``medicine_steps``) and the rules no plan may break (``contradictions``). Nothing
here reads the clock, the environment, a file or the terminal: "now", the protocol, the
catalogue entries and the words of the plan's language all come in as arguments. May
import only ``kyphoprep.errors`` and other ``kyphoprep.core`` modules (and the standard
library).
"""
