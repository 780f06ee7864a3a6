"""Citizens' personal data: the consent ledger and the privacy notice (Law 91/2025/QH15 on
Personal Data Protection and Decree 356/2025/NĐ-CP, in force from 1 January 2026)."""

from .views import bp  # noqa: F401
