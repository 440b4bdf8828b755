from __future__ import annotations

from pathlib import Path

from cme.demo.users import DEMO_USERS, demo_totp_secret


def test_readme_documents_each_demo_totp_secret() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    for user in DEMO_USERS:
        assert user.email in readme
        assert demo_totp_secret(user.email) in readme, user.email  # every role uses two-factor (AUTH-3)
    assert "password only" not in readme
