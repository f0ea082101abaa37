"""The portal's tables, one module per subject: accounts and roles, memberships, background jobs, notices."""

from portal.models.accounts import Role, RoleAssignment, User, UserManager, normalize_phone
from portal.models.jobs import Job
from portal.models.membership import Membership, RoleGrantLog, UserSession
from portal.models.notices import Notice
from portal.models.outbox import OutboxEmail
from portal.models.rankings import *  # noqa: F403 - rankings, targets, weekly reports
from portal.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "Job",
    "Membership",
    "Notice",
    "OutboxEmail",
    "Role",
    "RoleAssignment",
    "RoleGrantLog",
    "User",
    "UserManager",
    "UserSession",
    "normalize_phone",
]
