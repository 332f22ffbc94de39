"""Users: the user table and identity operations (the lowest domain)."""

from atrium.core.domain import DictionarySeed, Domain
from atrium.users.models import UserStatus
from atrium.users.settings import PasswordSettings

domain = Domain(
    "atrium.users",
    settings=(PasswordSettings,),
    models=".models",
    migration_branch="users",
    dictionaries=(DictionarySeed.from_enum("user_status", "User status", UserStatus),),
    errors=".errors",
    lifecycle=".lifecycle",
)
