"""The app's URLs with the benchmark's minimal views at /bench/ (the smoke tests' urlconf)."""

from django.urls import include, path

urlpatterns = [path("bench/", include("bench.minimal")), path("", include("tumorboard.urls"))]
