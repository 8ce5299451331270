"""Password rules whose messages read in the desk's languages.

Django 5.2's minimum-length message changed its wording and its Chinese catalogue has not
followed, so a refused short password was explained in English on a Chinese page. Same
rule, our own words.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return gettext("密码太短，至少需要 {count} 个字符。").format(count=self.min_length)

    def get_help_text(self) -> str:
        return gettext("密码至少需要 {count} 个字符。").format(count=self.min_length)
