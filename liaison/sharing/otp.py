"""Second factor (TOTP, django-otp) helpers shared by enrolment, login, the demo and tests.

Every user needs a confirmed authenticator (TOTP) device; recovery codes are a
``RecoveryCodeDevice`` (``recovery.py``) whose codes are kept as salted hashes
and deleted when used, so each works once.
"""
import base64
import re

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.sharing.recovery import RecoveryCode, RecoveryCodeDevice

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"
_TOTP_RE = re.compile(r"^\d{6}$")


def ensure_device(user, name="authenticator"):
    """The user's confirmed TOTP device, created if missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
    return device


def current_code(user):
    """The code the user's authenticator app shows now (demo and tests only)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise LookupError(f"{user.get_username()} has no confirmed authenticator.")
    return code_for(device)


def code_for(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user):
    """The unconfirmed device being enrolled, reused so a reload shows the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_text(device):
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device):
    """The otpauth:// URL as an inline SVG QR code, drawn here: the secret never leaves the server."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def normalise(code):
    """Codes are read off phones and paper: ignore spaces, dashes and case."""
    return re.sub(r"[\s\-]", "", code or "").lower()


def verify(user, code):
    """Check a 6-digit authenticator code or a recovery code.

    Returns ``(device, None)`` on success or ``(None, message)``. Six digits go
    to the authenticator only and anything else to the recovery codes only, so
    a typo never spends the other device's throttling budget.
    """
    code = normalise(code)
    with transaction.atomic():
        if _TOTP_RE.match(code):
            devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update())
        else:
            devices = list(RecoveryCodeDevice.objects.devices_for_user(user, confirmed=True).select_for_update())
        for device in devices:
            allowed, _detail = device.verify_is_allowed()
            if not allowed:
                return None, gettext(
                    "Too many wrong codes in a row. Wait a minute, then enter the code your app shows at that moment."
                )
            if device.verify_token(code):
                return device, None
    return None, gettext(
        "That code is not valid. Enter the 6-digit code your authenticator app shows now "
        "(it changes every 30 seconds), or one of your recovery codes."
    )


def confirm_enrolment(device, code):
    """Confirm a pending device with a code from the app; False if the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(normalise(code)):
            return None
        # A user has exactly one authenticator: enrolling replaces any earlier one.
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def new_recovery_codes(user):
    """Replace the user's recovery codes with fresh ones and return them: the
    only time they are readable, the database keeps salted hashes only."""
    # Eight base-32 characters, as django-otp's static tokens: typed from paper.
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCodeDevice.objects.filter(user=user).delete()
        device = RecoveryCodeDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        device.set_codes(codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def is_recovery_code_device(device):
    return isinstance(device, RecoveryCodeDevice)


def recovery_codes_left(user):
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def remove_all_devices(user):
    """Delete every second-factor device of ``user`` (authenticators, recovery
    codes, of any kind django-otp knows): the next sign-in enrols anew."""
    from django_otp import devices_for_user

    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    return removed
