from django.views.generic import DetailView, ListView

from .models import Municipality, Network


class NetworkListView(ListView):
    model = Network
    template_name = "networks/network_list.html"

    def get_queryset(self):
        return Network.objects.for_directory()


class NetworkDetailView(DetailView):
    model = Network
    template_name = "networks/network_detail.html"

    def get_queryset(self):
        return Network.objects.for_directory()


class MunicipalityDetailView(DetailView):
    model = Municipality
    template_name = "networks/municipality_detail.html"

    def get_queryset(self):
        return Municipality.objects.with_geography()
