"""Security primitives of Tousu; :mod:`tousu.security.crypto` holds all of its cryptography."""
