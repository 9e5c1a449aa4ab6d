"""Two-factor secrets are free text too: encrypt them at rest with Thaw's key ring."""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter

from thaw import crypto

CONTEXT = crypto.MFA_CONTEXT


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, CONTEXT)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, CONTEXT)
