"""What happens to an account when allauth reports something about it."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.dispatch import receiver


@receiver([password_changed, password_set, password_reset])
def password_is_now_their_own(sender, request, user, **kwargs):
    """A password the owner chose themselves ends the request to change it."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
