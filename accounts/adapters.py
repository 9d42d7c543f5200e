from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by IOM staff (invitations come later): no public sign-up."""

    def is_open_for_signup(self, request):
        return False
