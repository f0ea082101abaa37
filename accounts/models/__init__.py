"""People, their roles and memberships, and their API tokens, one module per subject."""

from accounts.models.accounts import Role, RoleAssignment, User, UserManager, normalize_phone
from accounts.models.membership import Membership, RoleGrantLog, UserSession
from accounts.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "Membership",
    "Role",
    "RoleAssignment",
    "RoleGrantLog",
    "User",
    "UserManager",
    "UserSession",
    "normalize_phone",
]
