"""Notifications: raised once, listed and counted only while the record is
visible, marked read, and e-mailed (immediately or in a daily digest)
without case details."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from enquiries.factories import EnquiryFactory, PersonFactory
from msp import access, audit, notifications
from msp.context_processors import _UnreadCount
from msp.models import Notification, NotificationKind, ReminderDigest, User
from msp.notification_mail import queue_digests, send_digest, send_one
from outcomes.models import FeedbackFollowUp

DUE = datetime.date(2026, 3, 2)
KIND = NotificationKind.FEEDBACK_FOLLOW_UP_DUE


def _follow_up(team, *, worker=None, given_name="Winifred", family_name="Quayle"):
    person = PersonFactory(team=team, given_name=given_name, family_name=family_name)
    enquiry = EnquiryFactory(
        concern__person=person, concluded=True, allocated_to=worker
    )
    return FeedbackFollowUp.objects.create(
        enquiry=enquiry, closed_on=DUE - datetime.timedelta(days=56), due_on=DUE
    )


def _raise(user, count=1, team=None):
    made = []
    for n in range(count):
        follow_up = _follow_up(team or user.teams.get(), family_name=f"Quayle{n}")
        made += notifications.notify([user], KIND, follow_up, DUE)
    return made


# -- Raising --------------------------------------------------------------------


def test_notify_creates_once_per_recipient_and_key(practitioner, manager, team):
    follow_up = _follow_up(team)
    first = notifications.notify(
        [practitioner, manager, practitioner], KIND, follow_up, DUE
    )
    again = notifications.notify([practitioner, manager], KIND, follow_up, DUE)
    assert sorted(n.recipient.username for n in first) == ["mo", "pat"]
    assert again == []
    assert Notification.objects.count() == 2
    stored = Notification.objects.get(recipient=practitioner)
    assert stored.object_ref == str(follow_up.enquiry.reference)
    assert stored.due_on == DUE and stored.read_at is None


def test_a_new_due_date_is_a_new_reminder(practitioner, team):
    follow_up = _follow_up(team)
    notifications.notify([practitioner], KIND, follow_up, DUE)
    notifications.notify(
        [practitioner], KIND, follow_up, DUE + datetime.timedelta(days=7)
    )
    assert Notification.objects.filter(recipient=practitioner).count() == 2


def test_inactive_people_and_unknown_kinds_are_not_told(practitioner, team):
    follow_up = _follow_up(team)
    practitioner.is_active = False
    practitioner.save()
    assert notifications.notify([practitioner], KIND, follow_up, DUE) == []
    with pytest.raises(ValueError):
        notifications.notify([practitioner], "made_up", follow_up, DUE)


def test_models_that_are_not_registered_are_refused(practitioner, team):
    person = PersonFactory(team=team)
    with pytest.raises(LookupError):
        notifications.notify([practitioner], KIND, person, DUE)


# -- Access: a notification never reveals a record --------------------------------


def test_a_record_moved_out_of_scope_is_neither_listed_nor_counted(
    client, practitioner, team, other_team
):
    _raise(practitioner)
    assert notifications.unread_count(practitioner) == 1
    follow_up = FeedbackFollowUp.objects.get()
    # The enquiry (and the adult) move to another team.
    enquiry = follow_up.enquiry
    enquiry.team = other_team
    enquiry.save()
    practitioner = User.objects.get(pk=practitioner.pk)
    assert notifications.unread_count(practitioner) == 0
    client.force_login(practitioner)
    page = client.get(reverse("notifications")).content.decode()
    assert "Feedback follow-up due" not in page
    assert "You have no notifications" in page
    home = client.get(reverse("home")).content.decode()
    assert "app-notification-count" not in home
    notification = Notification.objects.get()
    assert (
        client.post(reverse("notification_read", args=[notification.pk])).status_code
        == 404
    )


def test_a_restricted_record_is_hidden_until_the_user_is_named(
    client, practitioner, team
):
    _raise(practitioner)
    person = FeedbackFollowUp.objects.get().enquiry.concern.person
    person.is_restricted = True
    person.save()
    fresh = User.objects.get(pk=practitioner.pk)
    assert notifications.unread_count(fresh) == 0
    person.permitted_users.add(practitioner)
    assert notifications.unread_count(User.objects.get(pk=practitioner.pk)) == 1


def test_someone_elses_notification_cannot_be_marked(
    client, practitioner, other_practitioner
):
    (notification,) = _raise(practitioner)
    client.force_login(other_practitioner)
    response = client.post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


# -- Header count ---------------------------------------------------------------


def test_header_shows_the_unread_count(client, practitioner):
    _raise(practitioner, count=3)
    client.force_login(practitioner)
    page = client.get(reverse("home")).content.decode()
    assert 'id="notifications-link"' in page
    assert '>3<span class="govuk-visually-hidden"> unread</span>' in page


def test_header_count_costs_two_queries(practitioner, django_assert_num_queries, rf):
    _raise(practitioner, count=4)
    user = User.objects.get(pk=practitioner.pk)
    token = audit.set_current_request(rf.get("/"))
    try:
        # What every case page already knows about the user (remembered for
        # the request being served).
        access.team_ids(user)
        access.can_work_on_cases(user)
        access.hidden_restricted_ids(user)
        count = _UnreadCount(user)
        # Which kinds of record the unread ones are about, then the count
        # through those kinds' access rules only.
        with django_assert_num_queries(2) as captured:
            assert str(count) == "4"
            assert bool(count)
            assert int(count) == 4
        counted = captured.captured_queries[-1]["sql"]
        assert "outcomes_feedbackfollowup" in counted
        assert "enquiries_publicsubmission" not in counted
    finally:
        audit.reset_current_request(token)


def test_header_count_with_nothing_unread_is_one_small_query(
    practitioner, django_assert_num_queries
):
    (notification,) = _raise(practitioner)
    notification.read_at = timezone.now()
    notification.save()
    user = User.objects.get(pk=practitioner.pk)
    with django_assert_num_queries(1) as captured:
        assert str(_UnreadCount(user)) == "0"
    # No access rule is built or tested when there is nothing to count.
    assert "EXISTS" not in captured.captured_queries[0]["sql"]


def test_header_shows_99_plus_for_a_long_backlog(practitioner, rf):
    follow_up = _follow_up(practitioner.teams.get())
    for n in range(101):
        notifications.notify(
            [practitioner], KIND, follow_up, DUE + datetime.timedelta(days=n)
        )
    user = User.objects.get(pk=practitioner.pk)
    assert notifications.unread_count(user) == 101
    assert str(_UnreadCount(user)) == "99+"
    two = Notification.objects.filter(recipient=user).values_list("pk", flat=True)[:2]
    Notification.objects.filter(pk__in=list(two)).update(read_at=timezone.now())
    assert str(_UnreadCount(user)) == "99"


def test_public_and_signed_out_pages_have_no_count(client):
    page = client.get(reverse("login")).content.decode()
    assert "notifications-link" not in page


# -- The notifications page -----------------------------------------------------


def test_page_lists_newest_first_with_links(client, practitioner, team):
    older, newer = _raise(practitioner, count=2)
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    client.force_login(practitioner)
    page = client.get(reverse("notifications")).content.decode()
    newer_link = reverse("outcomes:feedback_add", args=[newer.object_ref])
    older_link = reverse("outcomes:feedback_add", args=[older.object_ref])
    assert page.index(newer_link) < page.index(older_link)
    assert "2 unread" in page


def test_page_is_keyset_paged(client, practitioner, team):
    _raise(practitioner, count=notifications.PAGE_SIZE + 2)
    client.force_login(practitioner)
    first = client.get(reverse("notifications"))
    cursor = first.context["page"].older
    assert cursor and len(first.context["page"].rows) == notifications.PAGE_SIZE
    second = client.get(reverse("notifications"), {"before": cursor})
    rows = second.context["page"].rows
    assert len(rows) == 2 and second.context["page"].older is None
    seen = {r.notification.pk for r in first.context["page"].rows}
    assert seen.isdisjoint(r.notification.pk for r in rows)
    # A cursor that cannot be read starts again from the newest.
    assert (
        client.get(reverse("notifications"), {"before": "nonsense"}).status_code == 200
    )


@pytest.mark.parametrize("count", [1, 10])
def test_page_query_count_is_constant(
    client, practitioner, team, count, django_assert_num_queries
):
    _raise(practitioner, count=count)
    client.force_login(practitioner)
    client.get(reverse("notifications"))  # warm the session and content types
    # Session, user, user's and groups' rights, teams, restricted people,
    # the page of rows, the kinds of record unread ones are about and the
    # unread count (the header reuses it), role names.
    with django_assert_num_queries(QUERIES_ON_PAGE):
        response = client.get(reverse("notifications"))
    assert len(response.context["page"].rows) == count


QUERIES_ON_PAGE = 10


def test_mark_one_read_then_open_the_record(client, practitioner):
    first, second = _raise(practitioner, count=2)
    client.force_login(practitioner)
    response = client.post(reverse("notification_read", args=[first.pk]), {"open": "1"})
    assert response.status_code == 302
    assert response.url == reverse("outcomes:feedback_add", args=[first.object_ref])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert notifications.unread_count(practitioner) == 1


def test_mark_all_read(client, practitioner):
    _raise(practitioner, count=3)
    client.force_login(practitioner)
    response = client.post(reverse("notifications_read_all"), follow=True)
    assert "3 notifications marked as read" in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "app-notification-count" not in response.content.decode()


def test_marking_read_needs_a_post(client, practitioner):
    (notification,) = _raise(practitioner)
    client.force_login(practitioner)
    assert (
        client.get(reverse("notification_read", args=[notification.pk])).status_code
        == 405
    )
    assert client.get(reverse("notifications_read_all")).status_code == 405


# -- E-mail preference ----------------------------------------------------------


def test_email_preference_is_saved_and_audited(client, practitioner):
    client.force_login(practitioner)
    page = client.get(reverse("notification_email")).content.decode()
    assert "One e-mail a day" in page
    response = client.post(
        reverse("notification_email"), {"reminder_email": "immediate"}
    )
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.reminder_email == User.ReminderEmail.IMMEDIATE


def test_email_preference_rejects_bad_input_with_an_error_summary(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("notification_email"), {"reminder_email": "hourly"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Select when we should e-mail you" in body
    practitioner.refresh_from_db()
    assert practitioner.reminder_email == User.ReminderEmail.DAILY


# -- E-mails ----------------------------------------------------------------------


def _details(notification):
    follow_up = FeedbackFollowUp.objects.select_related("enquiry__concern__person").get(
        pk=notification.object_id
    )
    person = follow_up.enquiry.concern.person
    return [
        person.given_name,
        person.family_name,
        str(person.reference),
        str(follow_up.enquiry.reference),
        notification.object_ref,
        "Feedback",
        "follow-up",
        DUE.strftime("%d %B"),
        "2 March",
    ]


def _assert_no_case_details(message, notifications_sent):
    text = f"{message.subject}\n{message.body}"
    for notification in notifications_sent:
        for detail in _details(notification):
            assert detail not in text, detail
    assert reverse("notifications") in message.body


def test_immediate_preference_sends_one_email_without_case_details(
    practitioner, team, mailoutbox, django_capture_on_commit_callbacks
):
    practitioner.reminder_email = User.ReminderEmail.IMMEDIATE
    practitioner.email = "pat@example.org"
    practitioner.save()
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = _raise(practitioner)
    assert len(mailoutbox) == 1
    _assert_no_case_details(mailoutbox[0], [notification])
    assert "1 notification" in mailoutbox[0].subject
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    # Running the task again sends nothing more.
    assert send_one(notification.pk) is False
    assert len(mailoutbox) == 1


def test_a_failed_send_is_not_marked_sent_and_is_sent_once_later(
    practitioner, team, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    practitioner.reminder_email = User.ReminderEmail.IMMEDIATE
    practitioner.email = "pat@example.org"
    practitioner.save()
    follow_up = _follow_up(team)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("msp.notification_mail.send_mail", refuse)
    # The embedded backend runs the task at once and records it failed (the
    # database backend queues it again after a wait).
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([practitioner], KIND, follow_up, DUE)
    notification = Notification.objects.get()
    assert notification.emailed_at is None
    assert mailoutbox == []
    monkeypatch.undo()
    assert send_one(notification.pk) is True
    assert send_one(notification.pk) is False
    assert len(mailoutbox) == 1


def test_daily_digest_groups_them_into_one_email(practitioner, team, mailoutbox):
    practitioner.email = "pat@example.org"
    practitioner.save()
    made = _raise(practitioner, count=3)
    assert mailoutbox == []  # daily is the default: nothing at once
    call_command("send_reminders", date="2026-03-01", stdout=None)
    assert len(mailoutbox) == 1
    assert "3 notifications" in mailoutbox[0].subject
    _assert_no_case_details(mailoutbox[0], made)
    # Twice the same day: nothing more.
    call_command("send_reminders", date="2026-03-01")
    assert send_digest(practitioner.pk, datetime.date(2026, 3, 1)) == 0
    assert len(mailoutbox) == 1
    assert ReminderDigest.objects.get().notifications == 3
    # The next day, only what is new.
    _raise(practitioner, count=1)
    call_command("send_reminders", date="2026-03-02")
    assert len(mailoutbox) == 2
    assert "1 notification" in mailoutbox[1].subject


def test_digest_counts_only_records_still_visible(
    practitioner, team, other_team, mailoutbox
):
    practitioner.email = "pat@example.org"
    practitioner.save()
    first, _second = _raise(practitioner, count=2)
    enquiry = FeedbackFollowUp.objects.get(pk=first.object_id).enquiry
    enquiry.team = other_team
    enquiry.save()
    assert send_digest(practitioner.pk, DUE) == 1
    assert "1 notification" in mailoutbox[0].subject


def test_only_people_with_something_new_get_a_digest(
    practitioner, other_practitioner, manager, mailoutbox
):
    for user in (practitioner, other_practitioner, manager):
        user.email = f"{user.username}@example.org"
        user.save()
    (read,) = _raise(manager)
    notifications.mark_read(manager, read.pk)
    _raise(practitioner)
    assert queue_digests(DUE) == 1
    assert [m.to for m in mailoutbox] == [["pat@example.org"]]


def test_no_email_when_the_user_chose_none(practitioner, team, mailoutbox):
    practitioner.email = "pat@example.org"
    practitioner.reminder_email = User.ReminderEmail.NONE
    practitioner.save()
    _raise(practitioner, count=2)
    call_command("send_reminders", date="2026-03-01")
    assert mailoutbox == []
    assert mail.outbox == []
