"""Issue 16, item 1: one account's successful sign-in never clears the
failures recorded against another account from the same address."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

PASSWORD = "correct horse battery staple"
OFFICE = "203.0.113.77"


def _sign_in(client, username, password, ip=OFFICE):
    client.logout()
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
def test_signing_in_as_yourself_does_not_reset_a_colleagues_failures(
    client, practitioner, other_practitioner
):
    # pat attacks pam: 4 guesses, then signs in as pat from the same address
    # to try to clear the count, and repeats until 12 guesses in all.
    guesses = 0
    while guesses < 12:
        for _ in range(4):
            _sign_in(client, "pam", "wrong password")
            guesses += 1
            if guesses == 12:
                break
        _sign_in(client, "pat", PASSWORD)
    assert guesses == 12
    # pam's own right password is still refused: her account is locked.
    refused = _sign_in(client, "pam", PASSWORD, ip="198.51.100.20")
    assert refused.status_code == 429
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_a_fifth_guess_locks_after_the_attacker_signed_in_in_between(
    client, practitioner, other_practitioner
):
    for _ in range(4):
        assert _sign_in(client, "pam", "wrong password").status_code == 200
    assert _sign_in(client, "pat", PASSWORD).status_code == 302
    assert _sign_in(client, "pam", "wrong password").status_code == 429
    assert _sign_in(client, "pam", PASSWORD, ip="198.51.100.21").status_code == 429


@pytest.mark.django_db
def test_your_own_success_still_clears_your_own_mistakes(client, practitioner):
    for _ in range(4):
        _sign_in(client, "pat", "wrong password")
    assert _sign_in(client, "pat", PASSWORD).status_code == 302
    # Four more typing mistakes do not lock: the earlier four were forgiven.
    for _ in range(4):
        assert _sign_in(client, "pat", "wrong password").status_code == 200
    assert _sign_in(client, "pat", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_your_success_keeps_failures_recorded_against_you_elsewhere(
    client, practitioner
):
    # Someone guesses at pat's password from another address; pat signing in
    # from the office does not give that guesser a fresh allowance.
    for _ in range(4):
        _sign_in(client, "pat", "wrong password", ip="192.0.2.9")
    assert _sign_in(client, "pat", PASSWORD).status_code == 302
    assert AccessAttempt.objects.filter(username="pat", ip_address="192.0.2.9").exists()
    assert _sign_in(client, "pat", "wrong password", ip="192.0.2.9").status_code == 429
