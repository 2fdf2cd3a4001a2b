"""The life cycle of a cross-border request, as plain data (no Django).

A request moves draft → sent → acknowledged → in progress → fulfilled / partly
fulfilled / refused / withdrawn. Each step is taken by one side: the
requesting agency sends and withdraws, the requested agency acknowledges,
works on, fulfils or refuses. A draft withdrawn before sending is discarded:
the requested agency sees a request only once it was sent, and is told
nothing of a draft (``tells_other_side``). Kept apart from the models so that every
allowed and refused step is tested in milliseconds, and so that the web page,
the API and the services ask the same table which buttons exist.
"""

from dataclasses import dataclass

DRAFT = "draft"
SENT = "sent"
ACKNOWLEDGED = "acknowledged"
IN_PROGRESS = "in_progress"
FULFILLED = "fulfilled"
PARTLY_FULFILLED = "partly_fulfilled"
REFUSED = "refused"
WITHDRAWN = "withdrawn"

STATES = (DRAFT, SENT, ACKNOWLEDGED, IN_PROGRESS, FULFILLED, PARTLY_FULFILLED, REFUSED, WITHDRAWN)
# Waiting on the requested agency: these count for due dates and reminders.
OPEN = frozenset({SENT, ACKNOWLEDGED, IN_PROGRESS})
CLOSED = frozenset({FULFILLED, PARTLY_FULFILLED, REFUSED, WITHDRAWN})
DONE = frozenset({FULFILLED, PARTLY_FULFILLED})

REQUESTER = "requester"
REQUESTED = "requested"

# Roles (the values of liaison.sharing.models.Role) allowed to take a step.
LIAISON_OFFICER = "liaison_officer"
AGENCY_ADMIN = "agency_admin"
ANALYST = "analyst"
STEP_ROLES = frozenset({LIAISON_OFFICER, AGENCY_ADMIN})
WRITE_ROLES = frozenset({LIAISON_OFFICER, AGENCY_ADMIN, ANALYST})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str
    side: str
    needs_reason: bool = False


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("send", frozenset({DRAFT}), SENT, REQUESTER),
        Transition("acknowledge", frozenset({SENT}), ACKNOWLEDGED, REQUESTED),
        Transition("start", frozenset({ACKNOWLEDGED}), IN_PROGRESS, REQUESTED),
        Transition("fulfil", frozenset({ACKNOWLEDGED, IN_PROGRESS}), FULFILLED, REQUESTED),
        Transition("partly_fulfil", frozenset({ACKNOWLEDGED, IN_PROGRESS}), PARTLY_FULFILLED, REQUESTED, True),
        Transition("refuse", frozenset({SENT, ACKNOWLEDGED, IN_PROGRESS}), REFUSED, REQUESTED, True),
        Transition("withdraw", frozenset({DRAFT, SENT, ACKNOWLEDGED, IN_PROGRESS}), WITHDRAWN, REQUESTER, True),
    )
}
ACTIONS = tuple(TRANSITIONS)


def gettext_noop(message):
    """Marks a message for translation without translating it (gettext_noop):
    this module imports no Django; services render it in the officer's language."""
    return message


class LifecycleError(Exception):
    """A step that is not allowed. ``status`` is the HTTP answer: 409 for a step
    the request's state does not allow, 403 for a user who may not take it.

    The message is kept as a template and its parameters so the caller can
    translate the template before filling it in (``render(gettext)``)."""

    status = 409

    def __init__(self, template, **params):
        self.template, self.params = template, params
        super().__init__(self.render())

    def render(self, translate=lambda s: s):
        params = {k: translate(v) if k in ("state", "step", "who") else v for k, v in self.params.items()}
        return translate(self.template) % params


class IllegalTransition(LifecycleError):
    status = 409


class NotAllowed(LifecycleError):
    status = 403


class ReasonRequired(LifecycleError):
    status = 400


STATE_LABELS = {
    DRAFT: gettext_noop("draft"),
    SENT: gettext_noop("sent"),
    ACKNOWLEDGED: gettext_noop("acknowledged"),
    IN_PROGRESS: gettext_noop("in progress"),
    FULFILLED: gettext_noop("fulfilled"),
    PARTLY_FULFILLED: gettext_noop("partly fulfilled"),
    REFUSED: gettext_noop("refused"),
    WITHDRAWN: gettext_noop("withdrawn"),
}
ACTION_LABELS = {
    "send": gettext_noop("send"),
    "acknowledge": gettext_noop("acknowledge"),
    "start": gettext_noop("start work on"),
    "fulfil": gettext_noop("fulfil"),
    "partly_fulfil": gettext_noop("mark as partly fulfilled"),
    "refuse": gettext_noop("refuse"),
    "withdraw": gettext_noop("withdraw"),
}


def side_of(agency_id, from_agency_id, to_agency_id):
    """Which side ``agency_id`` is on, or None when it is neither."""
    if agency_id is None:
        return None
    if agency_id == from_agency_id:
        return REQUESTER
    if agency_id == to_agency_id:
        return REQUESTED
    return None


def check(action, state, side, roles, reason=""):
    """The target state of ``action``, or the error saying why it cannot be taken.

    Order matters for the message an officer reads: first whether the step
    exists at all, then whether this request's state allows it, then whether
    this user's side and role may take it, then the reason.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise IllegalTransition(gettext_noop("“%(action)s” is not a step of a request."), action=action)
    if state not in transition.sources:
        raise IllegalTransition(
            gettext_noop(
                "This request is %(state)s: it cannot be asked to %(step)s any more. "
                "Reload the page to see its current state."
            ),
            state=STATE_LABELS.get(state, state),
            step=ACTION_LABELS[action],
        )
    if side != transition.side:
        who = (
            gettext_noop("the requesting agency")
            if transition.side == REQUESTER
            else gettext_noop("the requested agency")
        )
        raise NotAllowed(gettext_noop("Only %(who)s can %(step)s this request."), who=who, step=ACTION_LABELS[action])
    if not STEP_ROLES.intersection(roles or ()):
        raise NotAllowed(
            gettext_noop("Only a liaison officer or an agency administrator can %(step)s a request."),
            step=ACTION_LABELS[action],
        )
    if needs_reason(action, state) and not (reason or "").strip():
        raise ReasonRequired(
            gettext_noop("Say why you %(step)s this request: the other agency is told."), step=ACTION_LABELS[action]
        )
    return transition.target


def allowed_actions(state, side, roles):
    """The steps this user may take now, in display order (the page's buttons)."""
    if side is None or not STEP_ROLES.intersection(roles or ()):
        return []
    return [a for a, t in TRANSITIONS.items() if state in t.sources and t.side == side]


def needs_reason(action, state):
    t = TRANSITIONS.get(action)
    return bool(t and t.needs_reason and not (action == "withdraw" and state == DRAFT))


def tells_other_side(action, from_state):
    """Whether taking ``action`` from ``from_state`` is told to the other agency
    (inbox, webhooks). Not when a draft is withdrawn: it was never sent, so the
    requested agency never saw it; withdrawing it just discards it."""
    return not (action == "withdraw" and from_state == DRAFT)


def may_edit(state, side, roles):
    """Drafts are changed by the requesting agency's writers; after sending the
    content is what the other agency received, so it only grows by the thread."""
    return state == DRAFT and side == REQUESTER and bool(WRITE_ROLES.intersection(roles or ()))


def may_comment(state, side, roles):
    return side is not None and bool(WRITE_ROLES.intersection(roles or ())) and (state != DRAFT or side == REQUESTER)
