"""What every view of the coordinators' workspace (/dashboard/) shares.

The workspace shows a signed-in user the networks they may work on: a coordinator their own
networks (an open coordinating seat, ``networks.access``), IOM staff every network their
permissions reach. A network outside that answers 404, as if it did not exist, so a guessed
URL tells nothing. Pages are never cached: they hold personal data.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from ..models import Network


def workspace_networks(user):
    """The networks ``user`` works on in the workspace (change right on the network)."""
    return Network.objects.for_user(user, "change")


@method_decorator(never_cache, name="dispatch")
class WorkspaceMixin(LoginRequiredMixin):
    """A workspace page: signed in only (anyone else goes to the sign-in page), never cached."""


class NetworkMixin(WorkspaceMixin):
    """A page about one network, named by the ``network`` slug in the URL.

    ``self.network`` is set before the view runs; a network the user does not work on is a
    404. Views then scope their own records through ``networks.access`` as usual (a record
    of another network in the URL is a 404 too).
    """

    network_url_kwarg = "network"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.network = get_object_or_404(
                workspace_networks(request.user), slug=kwargs[self.network_url_kwarg]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["network"] = self.network
        return context
