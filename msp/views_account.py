"""Two-factor authentication: enrol an authenticator app, verify at sign-in,
backup codes; and the session keep-alive used by the timeout warning."""

from __future__ import annotations

import base64
import io

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from msp import audit
from msp.editing import bound_data
from msp.forms import TokenForm
from msp.middleware import two_factor_exempt
from msp.models import AuditEvent

BACKUP_CODE_COUNT = 10
SESSION_BACKUP_CODES = "msp_backup_codes"
SESSION_ENROLLING = "msp_enrolling_device"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # Inline SVG: drop the XML declaration, label it for screen readers.
    svg = svg[svg.index("<svg") :]
    return svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code to scan with your authenticator app" ',
        1,
    )


@two_factor_exempt
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), then
    prove it works by entering a code."""
    user = request.user
    if django_otp.user_has_device(user) and not user.is_verified():
        return redirect("two_factor_verify")
    # A new secret for each enrolment (never one a lost phone may hold); kept
    # in the session while the user scans it and types a code.
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False, pk=request.session.get(SESSION_ENROLLING)
    ).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
        request.session[SESSION_ENROLLING] = device.pk
    form = TokenForm(
        bound_data(request),
        label="Enter the 6-digit code from the app",
        button="Turn on two-factor authentication",
    )
    allowed, _ = device.verify_is_allowed()
    if request.method == "POST" and form.is_valid() and not allowed:
        # django-otp doubles the wait after each wrong code.
        form.add_error("token", "Too many wrong codes. Wait a minute, then try again")
    elif request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = _confirm_enrolment(user, device)
            request.session.pop(SESSION_ENROLLING, None)
            django_otp.login(request, device)
            request.session[SESSION_BACKUP_CODES] = codes
            return redirect("two_factor_backup_codes")
        form.add_error(
            "token", "The code is not right. Enter the code the app shows now"
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "replacing": django_otp.user_has_device(user),
        },
    )


def _confirm_enrolment(user, device: TOTPDevice) -> list[str]:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(
            pk=device.pk
        ).update(confirmed=False)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user)
        audit.record(
            actor=user,
            action=AuditEvent.Action.CHANGE,
            obj=user,
            summary="Turned on two-factor authentication",
        )
    return codes


def _new_backup_codes(user) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=code) for code in codes]
    )
    return codes


@two_factor_exempt
@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the app, or one backup code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not django_otp.user_has_device(user):
        return redirect("two_factor_setup")
    form = TokenForm(
        bound_data(request),
        label="Code from your authenticator app",
        hint="The 6-digit code the app shows now. If you do not have your phone, "
        "enter one of your backup codes.",
    )
    form.helper.form_action = (
        f"{reverse('two_factor_verify')}?{urlencode({'next': _next_url(request)})}"
    )
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You used a backup code. You have {left} left: "
                    "make new ones from your account page if you are running out.",
                )
            return redirect(_next_url(request))
        form.add_error("token", "The code is not right, or has been used. Try again")
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@never_cache
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """Backup codes, shown once (straight after they are made)."""
    codes = request.session.pop(SESSION_BACKUP_CODES, None)
    if not codes:
        return render(
            request, "registration/two_factor_backup_codes.html", {"codes": []}
        )
    return render(
        request, "registration/two_factor_backup_codes.html", {"codes": codes}
    )


@require_POST
def two_factor_new_backup_codes(request: HttpRequest) -> HttpResponse:
    """Replace the backup codes (the old ones stop working)."""
    if not django_otp.user_has_device(request.user):
        return redirect("two_factor_setup")
    with transaction.atomic():
        codes = _new_backup_codes(request.user)
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.CHANGE,
            obj=request.user,
            summary="Made new two-factor backup codes",
        )
    request.session[SESSION_BACKUP_CODES] = codes
    return redirect("two_factor_backup_codes")


@never_cache
def session_keep_alive(request: HttpRequest) -> HttpResponse:
    """The timeout warning's "Stay signed in": any request refreshes the session."""
    return HttpResponse(status=204)
