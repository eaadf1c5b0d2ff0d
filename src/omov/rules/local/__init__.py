"""Local party democracy (pure): units and their meetings, motions and what they do,
trigger ballots, members' petitions. The rulebook's ``[local]`` tables hold the rules
(``schema``); the functions apply them and answer with decisions citing the clause:

- ``meetings``: notice, quorum, the majority and what a carried motion does
  (``motion_outcome``), letters toward a share of a body (``letters_outcome``);
- ``trigger_ballots``: open selection or reselection, the arithmetic shown;
- ``petitions``: who may sign, normalised emails, screening for review, thresholds.

(Import from the modules: ``omov.rules.schema`` imports ``schema`` from here.)
"""
