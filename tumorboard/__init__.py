"""Tumorboard: multidisciplinary tumor boards for bone metastases."""

from tumorboard.celery import app as celery_app

__all__ = ("celery_app",)
