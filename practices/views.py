from django.views.generic import DetailView, ListView

from .models import Practice


class PracticeListView(ListView):
    template_name = "practices/practice_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Practice.objects.published().for_listing()


class PracticeDetailView(DetailView):
    template_name = "practices/practice_detail.html"

    def get_queryset(self):
        return Practice.objects.published()
