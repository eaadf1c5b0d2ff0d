"""Members of an organisation and its units, between contests: the roll an officer imports,
and members signing in by an emailed one-time link (``auth``) to take part in local
democracy (meetings, petitions, discussion, hustings), which other apps build on this."""
