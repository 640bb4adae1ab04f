from django.http import HttpResponse
from django.urls import path

from academy.urls import urlpatterns as academy_urlpatterns


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), *academy_urlpatterns]
