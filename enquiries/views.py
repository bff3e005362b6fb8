"""Pages for people, concerns and enquiries."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "enquiries/home.html")
