"""Recovery codes kept as salted password hashes (a django-otp device).

django-otp's own static device stores its codes as plain text, so a copy of
the database (a backup, a read-only SQL account) would hand out one-time
passes to every account. Here each code is hashed with Django's password
hashers (Argon2 in production), each with its own salt; the codes are
readable only once, on the page that creates them.

A salted hash cannot be looked up, so a code is checked against each of the
user's unused codes (ten at most). Only someone who already passed the
password step gets that far, and django-otp's throttling and django-axes
bound the attempts, so the cost of the hashing is no lever for an attacker.
"""
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's set of one-time recovery codes; each code works once."""

    class Meta:
        app_label = "sharing"
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self):
        # The same setting as django-otp's static device, which this replaces.
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def set_codes(self, codes):
        RecoveryCode.objects.bulk_create(RecoveryCode(device=self, hash=make_password(code)) for code in codes)

    def verify_token(self, token):
        allowed, _detail = self.verify_is_allowed()
        if not allowed:
            return False
        match = next((code for code in self.codes.all() if check_password(token, code.hash)), None)
        if match is None:
            self.throttle_increment()
            return False
        match.delete()  # one use only
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    hash = models.CharField(_("salted hash"), max_length=256, editable=False)

    class Meta:
        app_label = "sharing"

    def __str__(self):
        return f"recovery code {self.pk}"  # never the hash
