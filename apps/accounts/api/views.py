from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import lockout, second_factor, services
from apps.accounts.api.serializers import ApiTokenSerializer, TokenRequestSerializer, TokenResponseSerializer
from apps.accounts.authentication import SecondFactorRequired
from apps.accounts.models import ApiToken, Board, User
from apps.accounts.scoping import scope_boards
from apps.accounts.throttling import ScopedThrottle
from apps.cases.api.serializers import BoardSummarySerializer


class BoardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Board]):
    """The boards the user belongs to (administrators: every board)."""

    serializer_class = BoardSummarySerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Board]:
        return scope_boards(self.request.user).order_by("name", "id")


_BAD_CREDENTIALS = "Unable to log in with provided credentials."
_OTP_MISSING = (
    "This account uses two-factor authentication: send the current code from the authenticator app (or a backup code) as otp."
)


@extend_schema(
    tags=["auth"],
    request=TokenRequestSerializer,
    responses={
        200: TokenResponseSerializer,
        400: OpenApiResponse(description="A field is missing, the credentials are wrong, or `otp` is missing or wrong."),
        403: OpenApiResponse(
            description="`second_factor_enrolment_required`: the site requires a second factor and the account has none."
        ),
        429: OpenApiResponse(description="`locked_out` (django-axes, too many failures) or throttled (too many requests)."),
    },
)
class TokenView(APIView):
    """``POST {"username", "password"[, "otp"][, "name"]}`` -> ``{"token": "<key>"}``.

    Send the key as ``Authorization: Token <key>``. Each call issues a new token that expires after
    ``API_TOKEN_LIFETIME_DAYS``; list and revoke them at ``/api/v1/auth/tokens/``. With a second factor
    enrolled (or required by the site) ``otp`` carries the current code or a backup code.
    """

    permission_classes = (AllowAny,)
    authentication_classes: list[Any] = []
    throttle_scope = ScopedThrottle.AUTH

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response | HttpResponse:
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # django-axes watches authenticate() on the Django request (the lockout flags live there).
        http: HttpRequest = request._request
        user = authenticate(http, username=data["username"], password=data["password"])
        if lockout.is_locked_out(http):
            return lockout.lockout_response(http)
        if not isinstance(user, User):
            raise ValidationError({"non_field_errors": [_BAD_CREDENTIALS]}, code="authorization")
        if second_factor.has_confirmed_device(user):
            code = data.get("otp") or ""
            if not code:
                raise ValidationError({"otp": [_OTP_MISSING]})
            if second_factor.verify_code(user, code) is None:
                # A wrong code counts towards the lockout like a wrong password.
                user_login_failed.send(sender=__name__, credentials={"username": data["username"]}, request=http)
                if lockout.is_locked_out(http):
                    return lockout.lockout_response(http)
                raise ValidationError({"otp": ["The code is wrong or has expired."]})
        elif settings.TUMORBOARD_REQUIRE_2FA:
            raise SecondFactorRequired()
        _, key = services.api_token_create(user=user, name=data.get("name") or "", request=http)
        return Response({"token": key}, status=status.HTTP_200_OK)


@extend_schema(tags=["auth"])
class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet[ApiToken]
):
    """One's own API tokens (only their prefix is shown); ``DELETE`` revokes one (204)."""

    serializer_class = ApiTokenSerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[ApiToken]:
        user = self.request.user
        if not isinstance(user, User):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        token = self.get_object()  # 404 for another user's token
        assert isinstance(request.user, User)
        services.api_token_revoke(actor=request.user, token_id=token.pk, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
