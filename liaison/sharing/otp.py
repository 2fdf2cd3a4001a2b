"""Second factor (TOTP, django-otp) helpers shared by enrolment, the demo and tests."""
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


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
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
