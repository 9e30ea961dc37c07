"""Users, institutions and the boards they sit on."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from apps.accounts.roles import Permission, Role, role_has_permission
from apps.cases.vocabulary import choices
from apps.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who uses the platform; ``role`` is their professional role on every board they join."""

    role = models.CharField(max_length=32, choices=choices(Role), default=Role.COORDINATOR)

    class Meta:
        ordering = ("username",)
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"),
        ]

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> User:
        user = super().from_db(db, field_names, values)
        user.remember_credentials()
        return user

    def remember_credentials(self) -> None:
        """Note the password hash and active flag as stored, so a save can tell they changed.

        ``apps.accounts.handlers`` ends the sessions and revokes the tokens of an account whose password
        changed or that was disabled (issue 15); comparing with the loaded values costs no query.
        """
        loaded = "password" in self.__dict__ and "is_active" in self.__dict__
        self._stored_credentials = (self.password, self.is_active) if loaded else None

    def credentials_change(self) -> str | None:
        """Why this save must end the account's sessions and tokens: ``"password_changed"``,
        ``"account_disabled"``, or None.

        A new password is one set with ``set_password`` (Django keeps the raw value in ``_password`` until
        the save) or an unusable one; the re-hash Django does at sign-in when the hasher changes (PBKDF2
        to Argon2) changes the stored hash but is not a new password.
        """
        stored = getattr(self, "_stored_credentials", None)
        if stored is None:
            return None
        password, was_active = stored
        if was_active and not self.is_active:
            return "account_disabled"
        if password != self.password and (getattr(self, "_password", None) is not None or not self.has_usable_password()):
            return "password_changed"
        return None

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    def has_clinical_permission(self, permission: Permission) -> bool:
        return bool(self.is_active) and role_has_permission(self.role, permission)


class Institution(TimeStampedModel):
    """A hospital: the namespace of medical record numbers."""

    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Board(TimeStampedModel):
    """A multidisciplinary tumor board, e.g. "Bone metastasis board, main hospital"."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="boards")
    name = models.CharField(max_length=200)
    quorum = models.PositiveSmallIntegerField(default=3, help_text="Members of distinct specialties needed for a decision.")
    members: models.ManyToManyField[User, BoardMembership] = models.ManyToManyField(
        User, through="BoardMembership", through_fields=("board", "user"), related_name="boards"
    )

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("institution", "name"), name="board_name_unique_per_institution"),
            models.CheckConstraint(condition=models.Q(quorum__gte=1), name="board_quorum_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class BoardMembership(TimeStampedModel):
    """A user's seat on a board; the chair signs the board's recommendations."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    is_chair = models.BooleanField(default=False)

    class Meta:
        ordering = ("board", "user")
        constraints = [
            models.UniqueConstraint(fields=("board", "user"), name="membership_unique"),
            # One chair per board, so "the chair signs" is never ambiguous.
            models.UniqueConstraint(fields=("board",), condition=models.Q(is_chair=True), name="membership_one_chair"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.board}"


class TokenRevocation(models.TextChoices):
    OWNER = "owner", "Revoked by its owner"
    PASSWORD_CHANGED = "password_changed", "The password changed"
    ACCOUNT_DISABLED = "account_disabled", "The account was disabled"


class ApiToken(TimeStampedModel):
    """A credential for scripts and EHR interfaces, sent as ``Authorization: Token <key>``.

    Only the SHA-256 digest of the key is stored and only its first characters (``prefix``) are ever shown
    again: a copy of the database lets nobody call the API. A key is 40 random hexadecimal characters
    (160 bits), so a fast hash is enough; a slow password hash (Argon2) would only cost every request
    time, since nobody can guess a 160-bit key. A token expires (``expires_at``) and its owner, a password
    change or the account being disabled revokes it (``revoked_at``).
    """

    RevokedBecause = TokenRevocation

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, default="", help_text="What the token is for, e.g. the EHR interface.")
    prefix = models.CharField(max_length=PREFIX_LENGTH)
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=32, blank=True, default="", choices=TokenRevocation.choices)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_revoked_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revoked_because="")
                | models.Q(revoked_at__isnull=False, revoked_because__in=TokenRevocation.values),
                name="apitoken_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"
