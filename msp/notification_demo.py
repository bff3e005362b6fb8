"""Demo notifications for ``seed_demo``: the reminders due today, and a few
for each demo login that works on cases (about records they may see)."""

from __future__ import annotations

from django.utils import timezone

from msp.notifications import (
    can_see,
    mark_read,
    notify,
    reminder_sources,
    visible_notifications,
)

PER_LOGIN = 4
LOGINS = ("practitioner", "manager", "lead")


def create_demo_notifications(*, staff: dict, out) -> None:
    today = timezone.localdate()
    reminders = [
        reminder
        for _name, source in sorted(reminder_sources().items())
        for reminder in source(today)
    ]
    made = 0
    for reminder in reminders:
        made += len(
            notify(
                reminder.recipients,
                reminder.kind,
                reminder.obj,
                reminder.due_on,
                reminder.key,
            )
        )
    for username in LOGINS:
        user = staff[username]
        for reminder in reminders:
            if visible_notifications(user).count() >= PER_LOGIN:
                break
            if can_see(user, reminder.obj):
                made += len(
                    notify(
                        [user],
                        reminder.kind,
                        reminder.obj,
                        reminder.due_on,
                        reminder.key,
                    )
                )
        mine = list(visible_notifications(user).order_by("created_at", "pk")[:2])
        if len(mine) > 1 and not any(n.read_at for n in mine):
            # One already read, so the page shows both states.
            mark_read(user, mine[0].pk)
    out.write(f"Notifications: {made}")
