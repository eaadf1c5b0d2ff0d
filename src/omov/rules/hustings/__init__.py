"""Written hustings in a contest's campaign period (pure): members ask the candidates
questions and support them, the rules choose which are put, and every candidate answers
each chosen question under the same word limit and deadline. The rulebook's ``[hustings]``
table holds the rules (``schema``); the functions apply them and answer with decisions
citing the clause:

- ``timing``: the schedule (when questions close, when answers are due), who may ask and
  support, and what an answer must respect;
- ``choosing``: which questions are put: the most supported, with each section's or
  region's minimum share;
- ``equal_time``: the published answers checked side by side: the same limit and the
  same deadline for every candidate, and each answer within them.

(Import from the modules: ``omov.rules.schema`` imports ``schema`` from here.)
"""
