#!/usr/bin/env python3
"""Writes password hashes made by Django itself, for Tests/CryptoTests (Django-compatibility check).

    pip install django
    python3 scripts/make-django-fixture.py > Tests/CryptoTests/Fixtures/django-hashes.json

Each entry is produced by django.contrib.auth.hashers.make_password with a PBKDF2PasswordHasher at
the given iteration count and a random salt from Django's own salt(); the Swift tests check that
PasswordHasher verifies every entry and rejects a wrong password.
"""
import json
import sys

import django
from django.conf import settings

settings.configure(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
    USE_TZ=True,
)
django.setup()

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password  # noqa: E402

PASSWORDS = [
    "correct horse battery staple",
    "p",
    "пароль-Ünïcødé",          # Cyrillic + Latin-1 letters: multi-byte UTF-8
    "密码🔑 emoji and spaces ",  # CJK + a 4-byte code point + trailing space
    "quote\"back\\slash$dollar",
]
ITERATIONS = [1, 1000, 260_000]


def hasher_with(iterations):
    return type("FixtureHasher", (PBKDF2PasswordHasher,), {"iterations": iterations})()


def main():
    entries = []
    for iterations in ITERATIONS:
        hasher = hasher_with(iterations)
        for password in PASSWORDS:
            encoded = make_password(password, hasher=hasher)
            assert check_password(password, encoded)
            entries.append({"password": password, "iterations": iterations, "encoded": encoded})
    # Django's default count, for the one password a production deployment would have.
    encoded = make_password("correct horse battery staple")
    entries.append({"password": "correct horse battery staple",
                    "iterations": PBKDF2PasswordHasher.iterations, "encoded": encoded})
    json.dump({"django": django.get_version(), "hashes": entries}, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
