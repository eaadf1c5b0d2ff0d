"""Members' discussion: threads on a contest, a motion or a petition, members only; the
rulebook's house rules (``[house_rules]``, read through ``omov.rules.house_rules``) and
accountable moderation; published figures.

Modules: ``models``; ``services`` (members: threads, posts, quoting, flags, declarations,
export and erasure); ``moderation`` (moderators' decisions); ``appeals`` (appeals, and the
review of registrations that match a suspended person); ``rulings`` (what a member may do
now, the moderation log); ``selectors`` (thread pages, search, the queue, the figures);
``targets`` (what a thread can be on); ``markup`` (Markdown, sanitised); views.

The moderation API for other apps (a hustings question, a petition's text)
--------------------------------------------------------------------------
Every function is a service: atomic, keyword-only, raising ``omov.web.errors.ContestError``
with a sentence to show; each checks that the officer holds the role (moderator, or appeals
panel) in the organisation, and each step is an entry of the moderation log naming the
officer and the house rule.

- Before a member writes: ``rulings.restriction(member)`` -> ``Restriction``.
  ``.may_write`` is False while the person is suspended (``.refusal()`` is the sentence to
  show, with the rule and the end date); ``.held`` is a ``Moderation`` (not None) while the
  person's writing is held for pre-moderation: keep the item unseen by others until a
  moderator releases it, and mark it with ``moderation.label``.
- A member flags an item: ``services.flag_record(member=, item_kind="question",
  item_id=, ground="abuse")`` (one flag per member and item; the ground is a house rule's
  code or number). Open flags of an organisation: ``models.Flag`` with ``item_kind``.
- A moderator hides an item: ``moderation.item_hide(organisation=, item_kind="question",
  item_id=, author=member, text=the item's text, ground=3, moderator=user, reasons="",
  contest=contest)`` -> ``Moderation``. Store its id on the item; show
  "Hidden by a moderator: {moderation.label}" in the item's place while
  ``moderation.state == ModerationState.IN_FORCE``. The decision keeps the text's SHA-256,
  never the text. Its author sees it under "Your discussion" and may appeal.
- Holds and suspensions are on the person, whatever app they write in:
  ``moderation.member_hold(member=, ground=, moderator=)``, ``hold_lift(moderation=,
  moderator=)``, ``suspension_propose(member=, ground=, days=, moderator=, reasons=)`` then
  ``suspension_confirm(moderation=, moderator=another user)`` or ``suspension_reject``.
- Appeals: ``appeals.appeal_lodge(moderation=, member=, grounds=)`` within the rulebook's
  days; ``appeals.appeal_decide(appeal=, uphold=, reasons=, panel_member=)`` by the appeals
  panel, never by an officer who acted on the decision. Upheld, the moderation's state is
  ``REVERSED``: an item that reads the state shows again with no further call.
- Published figures count every decision that took effect once, per rule, month and the
  candidate the person declared support for (``selectors.figures``), whatever app it was in.
"""
