"""Access control: local accounts (Argon2 passwords, lock-out), roles and identities."""
