"""Members' discussion: threads on a contest, a motion or a petition, house rules and their
moderation (see ``services`` for the API other apps call)."""
