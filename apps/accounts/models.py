"""Users, institutions and the boards they sit on."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

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
