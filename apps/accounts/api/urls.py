from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.accounts.api.views import ApiTokenViewSet, BoardViewSet, TokenView

router = SimpleRouter()
router.register("boards", BoardViewSet, basename="board")
router.register("auth/tokens", ApiTokenViewSet, basename="api-tokens")

urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token"), *router.urls]
